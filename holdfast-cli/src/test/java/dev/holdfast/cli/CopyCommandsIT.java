package dev.holdfast.cli;

import static dev.holdfast.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.cli.Cli.Run;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code holdfast copy} and {@code holdfast sync} against real registries on loopback. */
class CopyCommandsIT {
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension target = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension secure = RegistryExtension.basicAuth();

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  static Skopeo skopeo;
  static WrittenImage multi;
  static WrittenImage single;



  @BeforeAll
  static void seed() {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    SyntheticImage.Builder small = SyntheticImage.builder().layers(1).layerSize(20_000).baseLayers(1)
        .baseLayerSize(30_000).baseSeed(5);
    multi = small.seed(51).format(Format.OCI).multiArch().build().writeTo(work.resolve("seed"), "multi");
    single = small.seed(52).format(Format.DOCKER).platforms("linux/amd64").build().writeTo(work.resolve("seed"), "single");
    skopeo.push(multi, source.image("lib/multi:1"));
    skopeo.push(single, source.image("lib/single:1"));
  }

  @Test
  void copyThroughALayoutAndBackKeepsTheDigest() throws IOException {
    Path layout = work.resolve("carry");
    Run out = run("copy", "docker://" + source.hostPort() + "/lib/multi:1", "oci:" + layout + ":multi");
    assertThat(out.exitCode()).as(out.err()).isZero();
    assertThat(out.out()).contains("copied").contains(multi.digest()).contains("1 image: 1 copied");

    Run in = run("copy", "--output", "json", "oci:" + layout + ":multi", target.hostPort() + "/carried/multi:1");
    assertThat(in.exitCode()).as(in.err()).isZero();
    assertThat(skopeo.digestOf(target.image("carried/multi:1"))).isEqualTo(multi.digest());
    assertThat(in.out()).contains("\"status\" : \"copied\"");
    // the target registry checks upload digests, so it hashed the blobs instead of Holdfast
    JsonNode image = JSON.readTree(in.out()).path("images").get(0);
    assertThat(image.path("blobsCopied").asInt()).isPositive();
    assertThat(image.path("blobsHashedByDestination").asInt()).isEqualTo(image.path("blobsCopied").asInt());
  }

  @Test
  void copyWithAPlatformReportsTheChangedDigestInJson() throws IOException {
    Run run = run("copy", "--platform", "linux/amd64", "--output", "json",
        source.hostPort() + "/lib/multi:1", target.hostPort() + "/amd64-only/multi:1");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode image = JSON.readTree(run.out()).path("images").get(0);
    assertThat(image.path("platformFilterChangedDigest").asBoolean()).isTrue();
    assertThat(image.path("sourceDigest").asText()).isEqualTo(multi.digest());
    assertThat(skopeo.digestOf(target.image("amd64-only/multi:1"))).isEqualTo(image.path("digest").asText());
  }

  @Test
  void syncWithFlattenCopiesWhatItCanAndExitsThreeOnPartialFailure() throws IOException {
    Path file = work.resolve("images.yaml");
    Files.writeString(file, """
        images:
          - %1$s/lib/multi:1
          - %1$s/lib/single:1
          - %1$s/lib/missing:1
        """.formatted(source.hostPort()));
    Run run = run("sync", "--from", file.toString(), "--to", target.hostPort() + "/flat", "--scheme", "flatten",
        "--output", "json");

    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(3);
    JsonNode report = JSON.readTree(run.out());
    assertThat(report.path("summary").path("copied").asInt()).isEqualTo(2);
    assertThat(report.path("summary").path("failed").asInt()).isEqualTo(1);
    String flat = "flat/127.0.0.1__u__" + source.port() + "_lib_single:1";
    // (the harness's RegistryImage does not accept '__' in names, so skopeo is called directly)
    Skopeo.Result raw = skopeo.run(java.util.List.of("inspect", "--raw", "--tls-verify=false", "--no-creds",
        "docker://" + target.hostPort() + "/" + flat));
    assertThat(raw.succeeded()).as(raw.stderr()).isTrue();
    assertThat(dev.holdfast.oci.reference.Digest.sha256(raw.stdoutBytes())).hasToString(single.digest());

    Run again = run("sync", "--from", file.toString(), "--to", target.hostPort() + "/flat", "--scheme", "flatten");
    assertThat(again.exitCode()).isEqualTo(3);
    assertThat(again.out()).contains("present").contains("2 already present");
  }

  @Test
  void syncOfKubernetesManifestsIntoTheDefaultLayoutLikeTarget() throws IOException {
    Path file = work.resolve("deploy.yaml");
    Files.writeString(file, """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          template:
            spec:
              initContainers: [{name: init, image: "%1$s/lib/single:1"}]
              containers: [{name: web, image: "%1$s/lib/multi:1"}]
        """.formatted(source.hostPort()));
    Path layout = work.resolve("copies");
    Run run = run("sync", "--from", file.toString(), "--to", "oci:" + layout);
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    Skopeo.Result fromLayout = skopeo.run(java.util.List.of("inspect", "--raw",
        "oci:" + layout + ":" + source.hostPort() + "/lib/multi:1"));
    assertThat(fromLayout.succeeded()).as(fromLayout.stderr()).isTrue();
  }

  @Test
  void aDamagedBlobFailsTheCopyWhoeverHashesIt() throws IOException {
    WrittenImage damagedImage = SyntheticImage.builder().layers(1).layerSize(40_000).seed(53).format(Format.OCI)
        .platforms("linux/amd64").build().writeTo(work.resolve("seed"), "damaged");
    skopeo.push(damagedImage, source.image("lib/damaged:1"));
    var layer = damagedImage.layers().get(0);
    Path data = source.blobDataFile(layer.digest());
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(data, bytes);

    // the destination registry checks uploads: by default it hashes the blob and refuses it; Holdfast
    // then reads the blob again, hashes it, and names both digests
    Run checked = run("copy", source.hostPort() + "/lib/damaged:1", target.hostPort() + "/damaged/auto:1");
    assertThat(checked.exitCode()).as(checked.out() + checked.err()).isEqualTo(1);
    assertThat(checked.out()).contains("expected digest " + layer.digest() + " but got sha256:");

    Run hashed = run("copy", "--hash-blobs", "always", source.hostPort() + "/lib/damaged:1",
        target.hostPort() + "/damaged/always:1");
    assertThat(hashed.exitCode()).as(hashed.out() + hashed.err()).isEqualTo(1);
    assertThat(hashed.out()).contains("expected digest " + layer.digest() + " but got sha256:");

    for (String repository : new String[] {"damaged/auto", "damaged/always"}) {
      assertThat(skopeo.tryInspectRaw(target.image(repository + ":1")).succeeded()).as(repository).isFalse();
    }

    Run badValue = run("copy", "--hash-blobs", "never", "a:1", "b:1");
    assertThat(badValue.exitCode()).isEqualTo(2);
    assertThat(badValue.err()).contains("--hash-blobs").contains("never");
  }

  @Test
  void allFailedIsOneAndBadArgumentsAreTwo() {
    Run failed = run("copy", source.hostPort() + "/lib/missing:1", target.hostPort() + "/x/y:1");
    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.out()).contains("failed").contains("lib/missing:1");

    Run usage = run("copy", "dir:/tmp/x", target.hostPort() + "/x/y:1");
    assertThat(usage.exitCode()).isEqualTo(2);
    assertThat(usage.err()).contains("dir:/tmp/x");

    Run badPlatform = run("copy", "--platform", "linux", "a:1", "b:1");
    assertThat(badPlatform.exitCode()).isEqualTo(2);
    assertThat(badPlatform.err()).contains("linux");
  }

  @Test
  void syncToARegistryWithCredentialsAndItsOwnCa() throws IOException {
    Path auth = work.resolve("auth.json");
    String basic = java.util.Base64.getEncoder().encodeToString(
        secure.credentials().colonSeparated().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.writeString(auth, "{\"auths\":{\"" + secure.hostPort() + "\":{\"auth\":\"" + basic + "\"}}}");
    Path file = work.resolve("secure.yaml");
    Files.writeString(file, "- " + source.hostPort() + "/lib/multi:1\n- " + source.hostPort() + "/lib/single:1\n");

    Run run = run("sync", "--from", file.toString(), "--to", secure.hostPort() + "/keep", "--authfile", auth.toString(),
        "--ca-file", secure.ca().caFile().toString());

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    String copy = "keep/127.0.0.1_" + source.port() + "/lib/multi:1";
    assertThat(skopeo.digestOf(secure.image(copy))).isEqualTo(multi.digest());
    assertThat(run.out() + run.err()).doesNotContain(secure.credentials().password());

    Run refused = run("copy", source.hostPort() + "/lib/single:1", secure.hostPort() + "/nope/single:1",
        "--ca-file", secure.ca().caFile().toString(), "--authfile", work.resolve("empty.json").toString());
    assertThat(refused.exitCode()).as("a missing --authfile is a usage error").isEqualTo(2);
  }

  @Test
  void syncCarriesImagesAcrossAnAirGapThroughALayoutAndBackUnderTheirNames() throws IOException {
    Path list = work.resolve("airgap.yaml");
    Files.writeString(list, "- %1$s/lib/multi:1\n- %1$s/lib/single:1\n".formatted(source.hostPort()));
    Path usb = work.resolve("usb");
    Run out = run("sync", "--from", list.toString(), "--to", "oci:" + usb);
    assertThat(out.exitCode()).as(out.out() + out.err()).isZero();

    // A layout entry that skopeo named with a bare tag cannot be mapped back to an original name.
    Run bare = run("copy", source.hostPort() + "/lib/single:1", "oci:" + usb + ":just-a-tag");
    assertThat(bare.exitCode()).as(bare.err()).isZero();

    Run in = run("sync", "--from", "oci:" + usb, "--to", target.hostPort() + "/restored", "--output", "json");
    assertThat(in.exitCode()).as(in.out() + in.err()).isZero();
    assertThat(in.err()).contains("skipping oci:" + usb).contains("\"just-a-tag\", not a full image reference");
    JsonNode summary = JSON.readTree(in.out()).path("summary");
    assertThat(summary.path("copied").asInt()).isEqualTo(2);
    String host = "127.0.0.1_" + source.port();
    assertThat(skopeo.digestOf(target.image("restored/" + host + "/lib/multi:1"))).isEqualTo(multi.digest());
    assertThat(skopeo.digestOf(target.image("restored/" + host + "/lib/single:1"))).isEqualTo(single.digest());
  }

  @Test
  void syncFromSomethingThatIsNoLayoutIsAUsageErrorNamingIt() {
    Run run = run("sync", "--from", "oci:" + work.resolve("no-such-layout"));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("no-such-layout");
  }
}
