package dev.holdfast.oci.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.reference.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestBuilderTest {
  static final Digest A = Digest.parse("sha256:" + "a".repeat(64));
  static final Digest B = Digest.parse("sha256:" + "b".repeat(64));
  static final Digest C = Digest.parse("sha256:" + "c".repeat(64));

  @Test
  void indexIsCanonicalCompactJson() {
    ImageIndex index = ImageIndex.of(MediaTypes.OCI_INDEX, List.of(
        Descriptor.of(MediaTypes.OCI_MANIFEST, A, 10).withPlatform(Platform.of("linux", "amd64")),
        Descriptor.of(MediaTypes.OCI_MANIFEST, B, 20)
            .withPlatform(new Platform("windows", "amd64", java.util.Optional.empty(),
                java.util.Optional.of("10.0.17763.5458"), List.of("win32k")))
            .withAnnotations(Map.of("z", "1", "a", "2"))));

    String expected = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
        + "\"manifests\":["
        + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + A + "\",\"size\":10,"
        + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
        + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + B + "\",\"size\":20,"
        + "\"annotations\":{\"a\":\"2\",\"z\":\"1\"},"
        + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.17763.5458\","
        + "\"os.features\":[\"win32k\"]}}]}";
    assertThat(new String(index.raw(), StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(index.digest()).isEqualTo(Digest.sha256(expected.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void builtManifestsRoundTripThroughParse() {
    ImageManifest built = ImageManifest.builder(MediaTypes.OCI_MANIFEST)
        .artifactType("application/vnd.example+json")
        .config(Descriptor.of(MediaTypes.OCI_EMPTY, C, 2))
        .layers(List.of(Descriptor.of(MediaTypes.OCI_LAYER_TAR_ZSTD, A, 5).withUrls(List.of("https://x/y"))))
        .subject(Descriptor.of(MediaTypes.OCI_MANIFEST, B, 7))
        .annotations(Map.of("k", "v"))
        .build();

    Manifest parsed = Manifest.parse(built.raw(), built.mediaType());
    assertThat(parsed).isEqualTo(built);
    ImageManifest image = (ImageManifest) parsed;
    assertThat(image.artifactType()).contains("application/vnd.example+json");
    assertThat(image.subject()).contains(Descriptor.of(MediaTypes.OCI_MANIFEST, B, 7));
    assertThat(image.layers().get(0).urls()).containsExactly("https://x/y");
    assertThat(image.annotations()).isEqualTo(Map.of("k", "v"));
  }

  @Test
  void equalInputsGiveEqualDigests() {
    List<Descriptor> entries = List.of(Descriptor.of(MediaTypes.DOCKER_MANIFEST, A, 1)
        .withPlatform(Platform.parse("linux/arm/v7")));
    assertThat(ImageIndex.of(MediaTypes.DOCKER_MANIFEST_LIST, entries).digest())
        .isEqualTo(ImageIndex.of(MediaTypes.DOCKER_MANIFEST_LIST, entries).digest());
  }

  @Test
  void platformFilterProducesANewIndexKeepingTheRest() {
    ImageIndex index = ImageIndex.builder(MediaTypes.OCI_INDEX)
        .manifests(List.of(
            Descriptor.of(MediaTypes.OCI_MANIFEST, A, 10).withPlatform(Platform.parse("linux/amd64")),
            Descriptor.of(MediaTypes.OCI_MANIFEST, B, 20).withPlatform(Platform.parse("linux/arm64/v8"))))
        .annotations(Map.of("org.opencontainers.image.ref.name", "1.0"))
        .build();

    ImageIndex filtered = index.withManifests(index.manifestsFor(Platform.parse("linux/arm64")));

    assertThat(filtered.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(filtered.manifests()).extracting(Descriptor::digest).containsExactly(B);
    assertThat(filtered.annotations()).isEqualTo(index.annotations());
    assertThat(filtered.digest()).isNotEqualTo(index.digest());
  }

  @Test
  void wrongMediaTypesAreRefused() {
    assertThatThrownBy(() -> ImageIndex.of(MediaTypes.OCI_MANIFEST, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(MediaTypes.OCI_MANIFEST);
    assertThatThrownBy(() -> ImageManifest.of(MediaTypes.OCI_INDEX, Descriptor.of(MediaTypes.OCI_CONFIG, A, 1), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(MediaTypes.OCI_INDEX);
    assertThatThrownBy(() -> ImageManifest.builder(MediaTypes.OCI_MANIFEST).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("config");
  }

  @Test
  void descriptorRejectsNegativeSize() {
    assertThatThrownBy(() -> Descriptor.of(MediaTypes.OCI_CONFIG, A, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }
}
