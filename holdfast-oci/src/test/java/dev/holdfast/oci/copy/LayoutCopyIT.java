package dev.holdfast.oci.copy;

import static dev.holdfast.oci.copy.Registries.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.layout.OciLayout;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** OCI layouts as source and destination, interchangeable with skopeo's {@code oci:} transport both ways. */
class LayoutCopyIT {
  @RegisterExtension static final RegistryExtension registry = RegistryExtension.plain();

  @TempDir static Path work;
  static Skopeo skopeo;
  static CopyEngine engine;
  static WrittenImage multi;
  static WrittenImage single;

  @BeforeAll
  static void seed() {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    SyntheticImage.Builder small = SyntheticImage.builder().layers(2).layerSize(30_000).baseLayers(1)
        .baseLayerSize(50_000).baseSeed(11);
    multi = small.seed(21).format(Format.OCI).multiArch().build().writeTo(work.resolve("seed"), "multi");
    single = small.seed(22).format(Format.OCI).platforms("linux/amd64").build().writeTo(work.resolve("seed"), "single");
    skopeo.push(multi, registry.image("src/multi:1"));
    skopeo.push(single, registry.image("src/single:1"));
    engine = CopyEngine.builder(Registries.client(registry)).build();
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static List<String> skopeoCopy(String from, String to) {
    Skopeo.Result result = skopeo.run(List.of("copy", "--quiet", "--all", "--preserve-digests",
        "--src-tls-verify=false", "--dest-tls-verify=false", "--src-no-creds", "--dest-no-creds", from, to));
    assertThat(result.succeeded()).as("skopeo copy %s %s: %s", from, to, result.stderr()).isTrue();
    return List.of();
  }

  @Test
  void skopeoCopiesALayoutHoldfastWrote() {
    Path dir = work.resolve("holdfast-wrote");
    CopyResult result = engine.copy(CopyRequest.of(at(registry, "src/multi:1"),
        ImageLocation.parse("oci:" + dir + ":v1"), CopyOptions.defaults()));
    assertThat(result).isInstanceOf(CopyResult.Copied.class);

    skopeoCopy("oci:" + dir + ":v1", "docker://" + registry.hostPort() + "/from-holdfast-layout/multi:1");
    assertThat(skopeo.digestOf(registry.image("from-holdfast-layout/multi:1"))).isEqualTo(multi.digest());
  }

  @Test
  void holdfastCopiesALayoutSkopeoWrote() {
    Path dir = work.resolve("skopeo-wrote");
    skopeoCopy("docker://" + registry.hostPort() + "/src/multi:1", "oci:" + dir + ":v1");

    CopyResult result = engine.copy(CopyRequest.of(ImageLocation.parse("oci:" + dir + ":v1"),
        at(registry, "from-skopeo-layout/multi:1"), CopyOptions.defaults()));
    assertThat(result).isInstanceOf(CopyResult.Copied.class);
    assertThat(skopeo.digestOf(registry.image("from-skopeo-layout/multi:1"))).isEqualTo(multi.digest());
  }

  @Test
  void aLayoutWithOneImageNeedsNoNameEitherWay() throws IOException {
    Path dir = work.resolve("unnamed");
    CopyResult written = engine.copy(CopyRequest.of(at(registry, "src/single:1"),
        ImageLocation.parse("oci:" + dir), CopyOptions.defaults()));
    assertThat(written).isInstanceOf(CopyResult.Copied.class);
    JsonNode index = new ObjectMapper().readTree(dir.resolve("index.json").toFile());
    assertThat(index.path("manifests")).hasSize(1);
    assertThat(index.path("manifests").get(0).path("annotations").path(OciLayout.REF_NAME).isMissingNode()).isTrue();

    skopeoCopy("oci:" + dir, "docker://" + registry.hostPort() + "/unnamed/single:1");
    assertThat(skopeo.digestOf(registry.image("unnamed/single:1"))).isEqualTo(single.digest());
    CopyResult back = engine.copy(CopyRequest.of(ImageLocation.parse("oci:" + dir),
        at(registry, "unnamed/back:1"), CopyOptions.defaults()));
    assertThat(back).isInstanceOf(CopyResult.Copied.class);
  }

  @Test
  void layoutToLayoutSharesBlobsAndLeavesNoPartialFiles() throws IOException {
    Path dir = work.resolve("sync-target");
    List<CopyResult> results = engine.copyAll(List.of(
        CopyRequest.of(at(registry, "src/multi:1"), ImageLocation.Layout.of(dir, "a:1"), CopyOptions.defaults()),
        CopyRequest.of(at(registry, "src/single:1"), ImageLocation.Layout.of(dir, "b:1"), CopyOptions.defaults())));
    assertThat(results).allMatch(r -> r instanceof CopyResult.Copied);

    CopyResult copy = engine.copy(CopyRequest.of(ImageLocation.Layout.of(dir, "a:1"),
        ImageLocation.Layout.of(work.resolve("second-layout"), "a:1"), CopyOptions.defaults()));
    assertThat(copy).isInstanceOf(CopyResult.Copied.class);
    assertThat(OciLayout.open(work.resolve("second-layout")).resolve(Optional.of("a:1")).digest())
        .hasToString(multi.digest());
    assertThat(OciLayout.open(dir).names()).containsExactlyInAnyOrder("a:1", "b:1");
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.map(Path::toString)).noneMatch(f -> f.endsWith(".partial"));
    }
    CopyResult again = engine.copy(CopyRequest.of(at(registry, "src/multi:1"), ImageLocation.Layout.of(dir, "a:1"),
        CopyOptions.defaults()));
    assertThat(again).isInstanceOf(CopyResult.AlreadyPresent.class);
  }

  @Test
  void aDockerManifestListKeepsItsDigestThroughALayout() {
    WrittenImage docker = SyntheticImage.builder().seed(23).layers(1).layerSize(10_000).format(Format.DOCKER)
        .multiArch().build().writeTo(work.resolve("docker-seed"), "docker");
    skopeo.push(docker, registry.image("src/docker:1"));
    ImageLocation layout = ImageLocation.Layout.of(work.resolve("docker-layout"), "docker:1");

    assertThat(engine.copy(CopyRequest.of(at(registry, "src/docker:1"), layout, CopyOptions.defaults())))
        .isInstanceOf(CopyResult.Copied.class);
    assertThat(engine.copy(CopyRequest.of(layout, at(registry, "back/docker:1"), CopyOptions.defaults())))
        .isInstanceOf(CopyResult.Copied.class);
    assertThat(skopeo.inspectRaw(registry.image("back/docker:1"))).isEqualTo(docker.topBytes());
  }

  @Test
  void aLayerListedTwiceCrossesOnceAndTheDigestStays() throws IOException {
    Path dir = work.resolve("twice");
    Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    byte[] layer = "one layer, listed twice".getBytes(StandardCharsets.UTF_8);
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
        .getBytes(StandardCharsets.UTF_8);
    String layerDescriptor = "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"%s\",\"size\":%d%s}";
    // the second entry differs in its annotations only: the same blob all the same
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%d},"
        + "\"layers\":[" + layerDescriptor + "," + layerDescriptor + "]}").formatted(
            putBlob(blobs, config), config.length, putBlob(blobs, layer), layer.length, "",
            putBlob(blobs, layer), layer.length, ",\"annotations\":{\"note\":\"again\"}")
        .getBytes(StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("index.json"), ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
        + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%d,"
        + "\"annotations\":{\"org.opencontainers.image.ref.name\":\"twice\"}}]}").formatted(
            putBlob(blobs, manifest), manifest.length));

    CopyResult copy = engine.copy(CopyRequest.of(ImageLocation.Layout.of(dir, "twice"), at(registry, "dst/twice:1"),
        CopyOptions.defaults()));

    assertThat(copy).isInstanceOf(CopyResult.Copied.class);
    assertThat(copy.stats().blobsCopied()).as("the config and the layer, once").isEqualTo(2);
    assertThat(copy.stats().blobsSkipped()).isZero();
    assertThat(skopeo.inspectRaw(registry.image("dst/twice:1"))).isEqualTo(manifest);
  }

  private static Digest putBlob(Path blobs, byte[] content) throws IOException {
    Digest digest = Digest.sha256(content);
    Files.write(blobs.resolve(digest.encoded()), content);
    return digest;
  }
}
