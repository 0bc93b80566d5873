package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code holdfast inspect} against real registries seeded with skopeo. */
class InspectCommandIT {

  @RegisterExtension static final RegistryExtension plain = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension basic = RegistryExtension.basicAuth();

  @TempDir static Path work;
  static WrittenImage single;
  static WrittenImage multi;
  static Skopeo skopeo;
  static Path authFile;

  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void seed() throws IOException {
    Path layout = work.resolve("layout");
    single = SyntheticImage.builder().seed(31).layers(2).layerSize(10_000).platforms("linux/arm64/v8")
        .build().writeTo(layout, "single");
    multi = SyntheticImage.builder().seed(32).layers(1).layerSize(10_000).format(Format.DOCKER)
        .multiArch().build().writeTo(layout, "multi");
    skopeo = Skopeo.create(work.resolve("skopeo"));
    skopeo.push(single, plain.image("cli/single:v1"));
    skopeo.push(multi, plain.image("cli/multi:v1"));
    skopeo.push(single, basic.image("cli/private:v1"));
    String auth = Base64.getEncoder().encodeToString(
        basic.credentials().colonSeparated().getBytes(StandardCharsets.UTF_8));
    authFile = Files.writeString(work.resolve("config.json"),
        "{\"auths\":{\"" + basic.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
  }

  private record Run(int exitCode, String out, String err, byte[] raw) {}

  private static Run run(String... args) {
    CommandLine cli = Main.newCommandLine(args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    ((InspectCommand) cli.getSubcommands().get("inspect").getCommand()).rawOut = raw;
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString(), raw.toByteArray());
  }

  @Test
  void showsDigestMediaTypeSizeAndPlatformOfAnImage() {
    Run run = run("inspect", plain.hostPort() + "/cli/single:v1");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Digest:     " + skopeo.digestOf(plain.image("cli/single:v1")))
        .contains("Media type: application/vnd.oci.image.manifest.v1+json")
        .contains("Size:       " + single.top().size())
        .contains("Platforms:  linux/arm64/v8")
        .contains("Layers:     2 (");
  }

  @Test
  void showsThePlatformsOfAnIndexAsJson() throws IOException {
    Run run = run("inspect", "--output", "json", plain.hostPort() + "/cli/multi:v1");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = JSON.readTree(run.out());
    assertThat(json.get("digest").asText()).isEqualTo(skopeo.digestOf(plain.image("cli/multi:v1")));
    assertThat(json.get("mediaType").asText()).isEqualTo("application/vnd.docker.distribution.manifest.list.v2+json");
    assertThat(json.get("size").asLong()).isEqualTo(multi.top().size());
    assertThat(json.get("platforms")).extracting(JsonNode::asText).containsExactly("linux/amd64", "linux/arm64");
    assertThat(json.get("manifests")).hasSize(2);
  }

  @Test
  void readsAnImageOfAnOciLayoutToo() throws IOException {
    Path layout = work.resolve("layout");
    Run run = run("inspect", "-o", "json", "oci:" + layout + ":single");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = JSON.readTree(run.out());
    assertThat(json.path("digest").asText()).isEqualTo(single.digest());
    assertThat(json.path("platforms").toString()).contains("linux/arm64/v8");

    Run raw = run("inspect", "--raw", "oci:" + layout + ":single");
    assertThat(Digest.sha256(raw.raw())).hasToString(single.digest());

    Run missing = run("inspect", "oci:" + layout + ":no-such-name");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("no image named \"no-such-name\"");
  }

  @Test
  void rawPrintsTheStoredBytes() {
    Run run = run("inspect", "--raw", plain.hostPort() + "/cli/multi:v1");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.raw()).isEqualTo(skopeo.inspectRaw(plain.image("cli/multi:v1")));
  }

  @Test
  void privateRegistryWithAuthFileAndCaFile() throws IOException {
    Run run = run("inspect", "--authfile", authFile.toString(), "--ca-file", basic.ca().caFile().toString(),
        basic.hostPort() + "/cli/private:v1");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Digest:     " + single.digest());
    assertThat(run.err()).isEmpty();

    // a bundle with a broken block still works; the skipped block is a warning naming the file
    Path partly = Files.writeString(work.resolve("partly.pem"), basic.ca().caPem()
        + "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
    Run warned = run("inspect", "--authfile", authFile.toString(), "--ca-file", partly.toString(),
        basic.hostPort() + "/cli/private:v1");
    assertThat(warned.exitCode()).as(warned.err()).isZero();
    assertThat(warned.err()).startsWith("warning: ").contains(partly.toString());
  }

  @Test
  void untrustedCertificateSuggestsCaFileAndInsecureRegistryWorks() {
    Run untrusted = run("inspect", "--authfile", authFile.toString(), basic.hostPort() + "/cli/private:v1");
    assertThat(untrusted.exitCode()).isEqualTo(1);
    assertThat(untrusted.err()).contains("holdfast inspect: ").contains("--ca-file")
        .contains("--insecure-registry").contains(basic.hostPort());

    Run insecure = run("inspect", "--authfile", authFile.toString(), "--insecure-registry", basic.hostPort(),
        basic.hostPort() + "/cli/private:v1");
    assertThat(insecure.exitCode()).as(insecure.err()).isZero();
    assertThat(insecure.out()).contains("Digest:     " + single.digest());
  }

  @Test
  void missingCredentialsMissingImageAndBadFilesAreClearErrors() throws IOException {
    Path emptyAuth = Files.writeString(work.resolve("empty.json"), "{\"auths\":{}}");
    Run unauthorized = run("inspect", "--authfile", emptyAuth.toString(), "--ca-file",
        basic.ca().caFile().toString(), basic.hostPort() + "/cli/private:v1");
    assertThat(unauthorized.exitCode()).isEqualTo(1);
    assertThat(unauthorized.err()).contains("pull manifest " + basic.hostPort() + "/cli/private:v1")
        .doesNotContain(basic.credentials().password());

    Run missing = run("inspect", "--authfile", emptyAuth.toString(), plain.hostPort() + "/cli/single:nope");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("MANIFEST_UNKNOWN").contains(plain.hostPort());

    Path notPem = Files.writeString(work.resolve("not.pem"), "hello");
    Run badCa = run("inspect", "--ca-file", notPem.toString(), plain.hostPort() + "/cli/single:v1");
    assertThat(badCa.exitCode()).isEqualTo(2);
    assertThat(badCa.err()).contains("--ca-file " + notPem);

    Run noAuthFile = run("inspect", "--authfile", work.resolve("nope.json").toString(), plain.hostPort() + "/cli/single:v1");
    assertThat(noAuthFile.exitCode()).isEqualTo(2);
    assertThat(noAuthFile.err()).contains("--authfile " + work.resolve("nope.json") + ": no such file");

    Run badReference = run("inspect", "UPPER/case::x");
    assertThat(badReference.exitCode()).isEqualTo(2);
    assertThat(badReference.err()).contains("UPPER/case::x");
  }
}
