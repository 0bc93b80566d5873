package dev.holdfast.cli;

import static dev.holdfast.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.cli.Cli.Run;
import dev.holdfast.oci.copy.DestinationNaming;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code holdfast copy --mirrors} and {@code holdfast sync --mirrors} against real registries: the
 * first mirror is down, the second lacks the image, the third (TLS, CA from a bundle with a broken
 * block) serves it, and the blocked source receives no request.
 */
class MirrorPullThroughCommandIT {
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension empty = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension tls = RegistryExtension.tls();
  @RegisterExtension static final RegistryExtension target = RegistryExtension.plain();

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  static Skopeo skopeo;
  static WrittenImage image;
  static Path chain;
  static Path digestOnly;



  @BeforeAll
  static void seed() throws IOException {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    image = SyntheticImage.builder().seed(61).layers(2).layerSize(20_000).build().writeTo(work.resolve("seed"), "app");
    skopeo.push(image, source.image("src/app:v1"));
    skopeo.push(image, tls.image("m3/app:v1"));
    skopeo.push(image, empty.image("m2/unrelated:v1"));
    String down;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      down = "127.0.0.1:" + socket.getLocalPort();
    }
    Path bundle = Files.writeString(work.resolve("mirror-ca.pem"),
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n" + tls.ca().caPem());
    String src = source.hostPort() + "/src";
    String mirrors = "- {src: " + src + ", to: " + down + "/m1, pullFromMirror: %1$s}\n"
        + "- {src: " + src + ", to: " + empty.hostPort() + "/m2, pullFromMirror: %1$s}\n"
        + "- {src: " + src + ", to: " + tls.hostPort() + "/m3, pullFromMirror: %1$s, caBundle: " + bundle + "}\n"
        + "- {src: " + src + ", blocked: true}\n";
    chain = Files.writeString(work.resolve("chain.yaml"), "redirects:\n" + mirrors.formatted("all"));
    digestOnly = Files.writeString(work.resolve("digest-only.yaml"), "redirects:\n" + mirrors.formatted("digest-only"));
  }

  @BeforeEach
  void forget() {
    List.of(source, empty, tls, target).forEach(RegistryExtension::clearRequests);
  }

  @Test
  void copyPullsThroughTheThirdMirrorAndReportsItInJson() throws IOException {
    String named = source.hostPort() + "/src/app:v1";
    Run run = run("copy", "--mirrors", chain.toString(), "--output", "json", named,
        target.hostPort() + "/copies/app:v1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode result = JSON.readTree(run.out()).path("images").get(0);
    assertThat(result.path("status").asText()).isEqualTo("copied");
    assertThat(result.path("source").asText()).isEqualTo("docker://" + named);
    assertThat(result.path("servedBy").asText()).isEqualTo("docker://" + tls.hostPort() + "/m3/app:v1");
    assertThat(run.err()).contains("warning: trust bundle " + work.resolve("mirror-ca.pem") + ": skipped block 1");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(empty.requests())
        .anyMatch(r -> r.path().equals("/v2/m2/app/manifests/v1") && r.status() == 404));
    assertThat(source.requests()).as("the blocked source").isEmpty();
    assertThat(skopeo.inspectRaw(target.image("copies/app:v1")))
        .isEqualTo(skopeo.inspectRaw(source.image("src/app:v1")));
  }

  @Test
  void syncNamesCopiesAfterTheSourceNotTheMirrorAndTheTableShowsTheMirror() throws IOException {
    ImageReference named = ImageReference.parse(source.hostPort() + "/src/app@" + image.digest());
    Path list = Files.writeString(work.resolve("images.yaml"), "- " + named + "\n");

    Run run = run("sync", "--mirrors", digestOnly.toString(), "--from", list.toString(),
        "--to", target.hostPort() + "/synced");

    assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
    assertThat(run.out()).contains("(from docker://" + tls.hostPort() + "/m3/app@" + image.digest() + ")");
    assertThat(source.requests()).as("the blocked source").isEmpty();
    ImageLocation.Registry expected = (ImageLocation.Registry) DestinationNaming
        .of(target.hostPort() + "/synced", DestinationNaming.Scheme.KEEP, "_").destinationFor(named);
    assertThat(expected.reference().repository()).contains("src/app").doesNotContain("m3");
    String repository = expected.reference().repository();
    assertThat(skopeo.digestOf(target.image(repository + "@" + image.digest()))).isEqualTo(image.digest());
  }

  @Test
  void aBlockedTagWithOnlyDigestOnlyMirrorsFailsBeforeAnyRequest() {
    Run run = run("copy", "--mirrors", digestOnly.toString(), source.hostPort() + "/src/app:v1",
        target.hostPort() + "/never/app:v1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("holdfast copy: cannot pull " + source.hostPort() + "/src/app:v1")
        .contains("mirror rule " + source.hostPort() + "/src").contains("blocks the source")
        .contains("digest-only, and this is a tag reference");
    List.of(source, empty, tls, target).forEach(r -> assertThat(r.requests()).as("%s", r).isEmpty());
  }

  @Test
  void syncReportsABlockedImageAsOneFailureAndCopiesTheOthers() throws IOException {
    ImageReference byDigest = ImageReference.parse(source.hostPort() + "/src/app@" + image.digest());
    String byTag = source.hostPort() + "/src/app:v1";
    Path list = Files.writeString(work.resolve("mixed.yaml"), "- " + byTag + "\n- " + byDigest + "\n");

    Run run = run("sync", "--mirrors", digestOnly.toString(), "--from", list.toString(),
        "--to", target.hostPort() + "/mixed", "--output", "json");

    assertThat(run.exitCode()).as("partial failure: " + run.err() + run.out()).isEqualTo(3);
    JsonNode report = JSON.readTree(run.out());
    assertThat(report.path("summary").path("copied").asInt()).isEqualTo(1);
    assertThat(report.path("summary").path("failed").asInt()).isEqualTo(1);
    assertThat(report.path("images").toString()).contains("blocks the source")
        .contains("digest-only, and this is a tag reference");
    assertThat(source.requests()).as("the blocked source").isEmpty();
  }

  @Test
  void anInvalidMirrorConfigurationIsAUsageErrorNamingFileAndField() throws IOException {
    Path bad = Files.writeString(work.resolve("bad.yaml"), "redirects:\n- {src: docker.io, to: m.local/x, pullFromMirror: sometimes}\n");

    Run copy = run("copy", "--mirrors", bad.toString(), "nginx:1", target.hostPort() + "/x/nginx:1");
    Path list = Files.writeString(work.resolve("one.yaml"), "- nginx:1\n");
    Run sync = run("sync", "--mirrors", bad.toString(), "--from", list.toString(), "--to", target.hostPort());

    for (Run run : List.of(copy, sync)) {
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.err()).contains(bad.toString()).contains("pullFromMirror").contains("sometimes");
    }
    assertThat(target.requests()).isEmpty();
  }
}
