package dev.holdfast.oci.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.testing.SyntheticImage.Compression;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyntheticImageTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void sameSettingsGiveSameDigestsInAnotherLayout() {
    SyntheticImage image = SyntheticImage.builder().seed(42).layers(2).layerSize(10_000).build();
    WrittenImage a = image.writeTo(tmp.resolve("a"), "app");
    WrittenImage b = image.writeTo(tmp.resolve("b"), "app");
    assertThat(b.digest()).isEqualTo(a.digest());
    assertThat(b.layers()).isEqualTo(a.layers());
  }

  @Test
  void differentSeedGivesDifferentLayersAndManifest() {
    WrittenImage a = SyntheticImage.builder().seed(1).build().writeTo(tmp, "a");
    WrittenImage b = SyntheticImage.builder().seed(2).build().writeTo(tmp, "b");
    assertThat(b.digest()).isNotEqualTo(a.digest());
    assertThat(b.layers().get(0).digest()).isNotEqualTo(a.layers().get(0).digest());
  }

  @Test
  void imagesWithTheSameBaseSeedShareTheBaseLayerOnly() {
    SyntheticImage.Builder base = SyntheticImage.builder().baseSeed(7).baseLayers(1)
        .baseLayerSize(5_000).layers(1).layerSize(3_000);
    WrittenImage a = base.seed(1).build().writeTo(tmp, "a");
    WrittenImage b = base.seed(2).build().writeTo(tmp, "b");
    WrittenImage otherBase = base.seed(2).baseSeed(8).build().writeTo(tmp, "c");
    assertThat(a.layers()).hasSize(2);
    assertThat(b.layers().get(0)).isEqualTo(a.layers().get(0));
    assertThat(b.layers().get(1)).isNotEqualTo(a.layers().get(1));
    assertThat(otherBase.layers().get(0)).isNotEqualTo(a.layers().get(0));
  }

  @Test
  void multiArchWritesAnIndexWithOneManifestPerPlatform() throws IOException {
    WrittenImage image = SyntheticImage.builder().seed(3).baseLayers(1).baseLayerSize(1000)
        .multiArch().build().writeTo(tmp, "multi");
    assertThat(image.isIndex()).isTrue();
    assertThat(image.mediaType()).isEqualTo("application/vnd.oci.image.index.v1+json");
    JsonNode index = JSON.readTree(image.topBytes());
    assertThat(index.path("manifests")).hasSize(2);
    assertThat(index.path("manifests").get(1).path("platform").path("architecture").asText())
        .isEqualTo("arm64");
    assertThat(index.path("manifests").get(0).path("digest").asText())
        .isEqualTo(image.manifests().get(0).manifest().digest());
    var amd64 = image.manifests().get(0);
    var arm64 = image.manifests().get(1);
    assertThat(arm64.layers().get(0)).as("base layer shared").isEqualTo(amd64.layers().get(0));
    assertThat(arm64.layers().get(1)).as("own layer per platform").isNotEqualTo(amd64.layers().get(1));
    JsonNode config = JSON.readTree(image.readBlob(arm64.config().digest()));
    assertThat(config.path("architecture").asText()).isEqualTo("arm64");
    assertThat(config.path("rootfs").path("diff_ids")).hasSize(2);
  }

  @Test
  void layoutHasMarkerRefNamesAndBlobsNamedByTheirDigest() throws Exception {
    WrittenImage a = SyntheticImage.builder().seed(1).build().writeTo(tmp, "a");
    SyntheticImage.builder().seed(2).multiArch().build().writeTo(tmp, "b");
    WrittenImage a2 = SyntheticImage.builder().seed(3).build().writeTo(tmp, "a"); // replaces "a"
    assertThat(JSON.readTree(tmp.resolve("oci-layout").toFile()).path("imageLayoutVersion").asText())
        .isEqualTo("1.0.0");
    JsonNode index = JSON.readTree(tmp.resolve("index.json").toFile());
    assertThat(index.path("manifests")).hasSize(2);
    Map<String, String> byName = new java.util.HashMap<>();
    index.path("manifests").forEach(m -> byName.put(
        m.path("annotations").path(OciLayoutWriter.REF_NAME).asText(), m.path("digest").asText()));
    assertThat(byName.get("a")).isEqualTo(a2.digest()).isNotEqualTo(a.digest());
    try (Stream<Path> blobs = Files.list(tmp.resolve("blobs/sha256"))) {
      for (Path blob : blobs.toList()) {
        assertThat("sha256:" + blob.getFileName()).isEqualTo(sha256(blob));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void layerIsAValidTarWhoseDiffIdMatches(Compression compression) throws Exception {
    long size = 3 * 65536 + 17; // several buffers, not block aligned
    WrittenImage image = SyntheticImage.builder().seed(9).layerSize(size).compression(compression)
        .build().writeTo(tmp, "t");
    Descriptor layer = image.layers().get(0);
    Path blob = image.blobPath(layer.digest());
    assertThat(Files.size(blob)).isEqualTo(layer.size());
    assertThat(sha256(blob)).isEqualTo(layer.digest());
    String diffId = JSON.readTree(image.readBlob(image.manifests().get(0).config().digest()))
        .path("rootfs").path("diff_ids").get(0).asText();
    try (InputStream in = compression == Compression.NONE
        ? Files.newInputStream(blob) : new GZIPInputStream(Files.newInputStream(blob))) {
      assertThat(sha256(in)).isEqualTo(diffId);
    }
    if (compression == Compression.NONE) {
      assertThat(layer.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar");
      assertThat(layer.size()).isEqualTo(512 + (size + 511) / 512 * 512 + 1024);
    } else {
      assertThat(layer.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
    }
    // GNU tar as an independent reader: one file of the expected size
    Tools.Result listing = Tools.check(
        List.of("tar", compression == Compression.NONE ? "-tvf" : "-tzvf", blob.toString()),
        Map.of(), Duration.ofSeconds(30));
    assertThat(listing.stdout().lines().toList()).singleElement().asString()
        .contains(" " + size + " ").contains("data/blob-").startsWith("-rw-r--r-- root/root");
  }

  @Test
  void dockerFormatUsesDockerMediaTypesAndWritesADirCopy() throws IOException {
    WrittenImage image = SyntheticImage.builder().seed(5).format(Format.DOCKER).multiArch()
        .build().writeTo(tmp, "d");
    assertThat(image.mediaType())
        .isEqualTo("application/vnd.docker.distribution.manifest.list.v2+json");
    JsonNode manifest = JSON.readTree(image.readBlob(image.manifests().get(0).manifest().digest()));
    assertThat(manifest.path("mediaType").asText())
        .isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
    assertThat(manifest.path("config").path("mediaType").asText())
        .isEqualTo("application/vnd.docker.container.image.v1+json");
    assertThat(manifest.path("layers").get(0).path("mediaType").asText())
        .isEqualTo("application/vnd.docker.image.rootfs.diff.tar.gzip");
    Path dir = image.dirCopy().orElseThrow();
    assertThat(image.skopeoSource()).isEqualTo("dir:" + dir);
    assertThat(Files.readAllBytes(dir.resolve("manifest.json"))).isEqualTo(image.topBytes());
    for (var m : image.manifests()) {
      assertThat(dir.resolve(m.manifest().hex() + ".manifest.json")).exists();
    }
    for (Descriptor blob : image.blobs()) {
      assertThat(dir.resolve(blob.hex())).hasSize(blob.size());
    }
  }

  @Test
  void invalidSettingsAreRejectedWithTheValueInTheMessage() {
    assertThatThrownBy(() -> SyntheticImage.builder().layers(-1))
        .hasMessageContaining("layers").hasMessageContaining("-1");
    assertThatThrownBy(() -> SyntheticImage.builder().platforms("amd64"))
        .hasMessageContaining("'amd64'");
    assertThatThrownBy(() -> SyntheticImage.builder().build().writeTo(tmp, "a/b"))
        .hasMessageContaining("'a/b'");
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in);
    }
  }

  private static String sha256(InputStream in) throws IOException {
    MessageDigest md = LayerGenerator.sha256();
    try (DigestInputStream d = new DigestInputStream(in, md)) {
      d.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }
}
