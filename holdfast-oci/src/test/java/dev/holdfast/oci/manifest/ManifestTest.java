package dev.holdfast.oci.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.manifest.InvalidManifestException.Problem;
import dev.holdfast.oci.reference.Digest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestTest {
  static final String A = "sha256:" + "a".repeat(64);
  static final String B = "sha256:" + "b".repeat(64);
  static final String C = "sha256:" + "c".repeat(64);
  static final String D = "sha256:" + "d".repeat(64);

  // An OCI 1.1 artifact manifest (e.g. an SBOM) that refers to an image, with an unknown field.
  static final String OCI_ARTIFACT = """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.example.sbom.v1+json",
        "config": {
          "mediaType": "application/vnd.oci.empty.v1+json",
          "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
          "size": 2,
          "data": "e30="
        },
        "layers": [
          {
            "mediaType": "application/spdx+json",
            "digest": "%s",
            "size": 12345,
            "annotations": {"org.opencontainers.image.title": "sbom.spdx.json"}
          }
        ],
        "subject": {
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "digest": "%s",
          "size": 1234
        },
        "annotations": {
          "org.opencontainers.image.created": "2024-01-02T03:04:05Z",
          "com.example.b": "2"
        },
        "com.example.unknown": {"kept": true}
      }
      """.formatted(A, B);

  static final String OCI_INDEX = """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
          {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "%s",
            "size": 7143,
            "platform": {"architecture": "amd64", "os": "linux"}
          },
          {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "%s",
            "size": 7682,
            "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}
          },
          {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "%s",
            "size": 840,
            "annotations": {
              "vnd.docker.reference.digest": "%s",
              "vnd.docker.reference.type": "attestation-manifest"
            },
            "platform": {"architecture": "unknown", "os": "unknown"}
          }
        ],
        "annotations": {"org.opencontainers.image.ref.name": "1.27"}
      }
      """.formatted(A, B, C, A);

  static final String DOCKER_V2S2 = """
      {
         "schemaVersion": 2,
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": "%s"
         },
         "layers": [
            {
               "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
               "size": 32654,
               "digest": "%s"
            },
            {
               "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
               "size": 16724,
               "digest": "%s",
               "urls": ["https://example.com/layer.tar.gz"]
            }
         ]
      }""".formatted(A, B, C);

  static final String DOCKER_LIST = """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
        "manifests": [
          {
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "size": 7143,
            "digest": "%s",
            "platform": {"architecture": "arm", "os": "linux", "variant": "v7"}
          },
          {
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "size": 1804,
            "digest": "%s",
            "platform": {
              "architecture": "amd64",
              "os": "windows",
              "os.version": "10.0.17763.5458",
              "os.features": ["win32k"],
              "features": ["sse4"]
            }
          }
        ]
      }""".formatted(A, B);

  static final String SCHEMA1 = """
      {
         "schemaVersion": 1,
         "name": "library/hello",
         "tag": "latest",
         "architecture": "amd64",
         "fsLayers": [{"blobSum": "%s"}],
         "history": [{"v1Compatibility": "{}"}],
         "signatures": []
      }""".formatted(A);

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // --- real-world shapes ---

  @Test
  void ociArtifactManifestWithSubjectAndArtifactType() {
    byte[] raw = bytes(OCI_ARTIFACT);
    Manifest manifest = Manifest.parse(raw, MediaTypes.OCI_MANIFEST);

    assertThat(manifest).isInstanceOf(ImageManifest.class);
    ImageManifest image = (ImageManifest) manifest;
    assertThat(image.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(image.artifactType()).contains("application/vnd.example.sbom.v1+json");
    assertThat(image.config().mediaType()).isEqualTo(MediaTypes.OCI_EMPTY);
    assertThat(image.config().size()).isEqualTo(2);
    assertThat(image.layers()).singleElement().satisfies(layer -> {
      assertThat(layer.mediaType()).isEqualTo("application/spdx+json");
      assertThat(layer.digest()).isEqualTo(Digest.parse(A));
      assertThat(layer.size()).isEqualTo(12345);
      assertThat(layer.annotations()).containsEntry("org.opencontainers.image.title", "sbom.spdx.json");
    });
    assertThat(image.subject()).hasValueSatisfying(subject -> {
      assertThat(subject.digest()).isEqualTo(Digest.parse(B));
      assertThat(subject.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    });
    assertThat(image.annotations()).containsOnlyKeys(
        "com.example.b", "org.opencontainers.image.created");
    assertThat(image.annotations().keySet()).containsExactly(
        "com.example.b", "org.opencontainers.image.created");
    assertThat(image.digest()).isEqualTo(Digest.sha256(raw));
    assertThat(image.size()).isEqualTo(raw.length);
    assertThat(image.descriptor()).isEqualTo(Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(raw), raw.length));
  }

  @Test
  void rawBytesAreExactlyThePulledOnesIncludingUnknownFieldsAndWhitespace() {
    byte[] raw = bytes(OCI_ARTIFACT);
    Manifest manifest = Manifest.parse(raw, MediaTypes.OCI_MANIFEST);

    assertThat(manifest.raw()).isEqualTo(raw);
    assertThat(new String(manifest.raw(), StandardCharsets.UTF_8)).contains("\"com.example.unknown\": {\"kept\": true}");
    // neither the caller's array nor the returned copy can change the manifest
    raw[0] = 'X';
    byte[] copy = manifest.raw();
    copy[1] = 'Y';
    assertThat(manifest.raw()).isEqualTo(bytes(OCI_ARTIFACT));
    assertThat(manifest.digest()).isEqualTo(Digest.sha256(bytes(OCI_ARTIFACT)));
  }

  @Test
  void ociIndex() {
    ImageIndex index = (ImageIndex) Manifest.parse(bytes(OCI_INDEX), MediaTypes.OCI_INDEX);

    assertThat(index.manifests()).hasSize(3);
    assertThat(index.manifests().get(0).platform()).contains(Platform.of("linux", "amd64"));
    assertThat(index.manifests().get(1).platform()).contains(Platform.of("linux", "arm64", "v8"));
    assertThat(index.manifests().get(2).annotations())
        .containsEntry("vnd.docker.reference.type", "attestation-manifest");
    assertThat(index.annotations()).containsEntry("org.opencontainers.image.ref.name", "1.27");
    assertThat(index.subject()).isEmpty();
    assertThat(index.artifactType()).isEmpty();
    assertThat(index.manifestsFor(Platform.parse("linux/arm64"))).extracting(Descriptor::digest)
        .containsExactly(Digest.parse(B));
    assertThat(index.manifestsFor(Platform.parse("linux/amd64"))).extracting(Descriptor::digest)
        .containsExactly(Digest.parse(A));
  }

  @Test
  void dockerV2Schema2WithForeignLayer() {
    ImageManifest image = (ImageManifest) Manifest.parse(bytes(DOCKER_V2S2), MediaTypes.DOCKER_MANIFEST);

    assertThat(image.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(image.config()).isEqualTo(Descriptor.of(MediaTypes.DOCKER_CONFIG, Digest.parse(A), 7023));
    assertThat(image.layers()).extracting(Descriptor::mediaType)
        .containsExactly(MediaTypes.DOCKER_LAYER_TAR_GZIP, MediaTypes.DOCKER_FOREIGN_LAYER_TAR_GZIP);
    assertThat(image.layers().get(1).urls()).containsExactly("https://example.com/layer.tar.gz");
    assertThat(image.subject()).isEmpty();
    assertThat(image.annotations()).isEmpty();
  }

  @Test
  void dockerManifestListWithVariantAndOsVersion() {
    ImageIndex list = (ImageIndex) Manifest.parse(bytes(DOCKER_LIST), MediaTypes.DOCKER_MANIFEST_LIST);

    assertThat(list.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    Platform arm = list.manifests().get(0).platform().orElseThrow();
    assertThat(arm.variant()).contains("v7");
    assertThat(arm).hasToString("linux/arm/v7");
    Platform windows = list.manifests().get(1).platform().orElseThrow();
    assertThat(windows.osVersion()).contains("10.0.17763.5458");
    assertThat(windows.osFeatures()).containsExactly("win32k");
    assertThat(windows).hasToString("windows/amd64");
  }

  // --- content type detection ---

  static Stream<Arguments> detection() {
    String ociWithoutMediaType = OCI_ARTIFACT.replace(
        "\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n  \"artifactType\"", "\"artifactType\"");
    String indexWithoutMediaType = OCI_INDEX.replace(
        "\"mediaType\": \"application/vnd.oci.image.index.v1+json\",", "");
    return Stream.of(
        Arguments.of(DOCKER_V2S2, null, MediaTypes.DOCKER_MANIFEST),
        Arguments.of(DOCKER_V2S2, "", MediaTypes.DOCKER_MANIFEST),
        Arguments.of(DOCKER_V2S2, "application/json", MediaTypes.DOCKER_MANIFEST),
        Arguments.of(DOCKER_V2S2, "application/octet-stream", MediaTypes.DOCKER_MANIFEST),
        Arguments.of(DOCKER_LIST, "text/plain; charset=utf-8", MediaTypes.DOCKER_MANIFEST_LIST),
        Arguments.of(DOCKER_LIST, MediaTypes.DOCKER_MANIFEST_LIST + "; charset=utf-8", MediaTypes.DOCKER_MANIFEST_LIST),
        Arguments.of(OCI_INDEX, "Application/JSON", MediaTypes.OCI_INDEX),
        Arguments.of(ociWithoutMediaType, "application/json", MediaTypes.OCI_MANIFEST),
        Arguments.of(ociWithoutMediaType, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST),
        Arguments.of(indexWithoutMediaType, null, MediaTypes.OCI_INDEX),
        Arguments.of(indexWithoutMediaType, MediaTypes.OCI_INDEX, MediaTypes.OCI_INDEX));
  }

  @ParameterizedTest(name = "[{index}] {1} -> {2}")
  @MethodSource
  void detection(String json, String contentType, String expected) {
    assertThat(json).isNotEqualTo(OCI_ARTIFACT); // the replace() in the table did something
    assertThat(Manifest.parse(bytes(json), contentType).mediaType()).isEqualTo(expected);
  }

  // --- refusals ---

  @ParameterizedTest
  @ValueSource(strings = {
      "", "application/json", MediaTypes.DOCKER_SCHEMA1_MANIFEST, MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST})
  void schema1IsRefusedWithAClearMessage(String contentType) {
    assertThatThrownBy(() -> Manifest.parse(bytes(SCHEMA1), contentType))
        .isInstanceOfSatisfying(InvalidManifestException.class, e -> {
          assertThat(e.problem()).isEqualTo(Problem.SCHEMA1);
          assertThat(e.isSchema1()).isTrue();
        })
        .hasMessageContaining("schema 1")
        .hasMessageContaining("deprecated and not supported")
        .hasMessageContaining("re-push");
  }

  @Test
  void oversizeIsRefused() {
    byte[] huge = new byte[Manifest.MAX_SIZE + 1];
    assertThatThrownBy(() -> Manifest.parse(huge, MediaTypes.OCI_MANIFEST))
        .isInstanceOfSatisfying(InvalidManifestException.class, e -> assertThat(e.isTooLarge()).isTrue())
        .hasMessageContaining(String.valueOf(Manifest.MAX_SIZE + 1))
        .hasMessageContaining("4 MiB");
  }

  @Test
  void exactlyMaxSizeIsAccepted() {
    String body = DOCKER_V2S2.substring(0, DOCKER_V2S2.length() - 1);
    int pad = Manifest.MAX_SIZE - bytes(body).length - 1;
    byte[] raw = bytes(body + " ".repeat(pad) + "}");
    assertThat(raw).hasSize(Manifest.MAX_SIZE);
    assertThat(Manifest.parse(raw, MediaTypes.DOCKER_MANIFEST).size()).isEqualTo(Manifest.MAX_SIZE);
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("not json", "{\"schemaVersion\": 2,", "not valid JSON"),
        Arguments.of("array", "[]", "must be a JSON object"),
        Arguments.of("trailing garbage", DOCKER_V2S2 + " {}", "not valid JSON"),
        Arguments.of("duplicate key", DOCKER_V2S2.replace("\"schemaVersion\": 2,", "\"schemaVersion\": 2, \"schemaVersion\": 2,"),
            "Duplicate field"),
        Arguments.of("no schemaVersion", DOCKER_V2S2.replace("\"schemaVersion\": 2,", ""), "schemaVersion: required"),
        Arguments.of("schemaVersion 3", DOCKER_V2S2.replace("\"schemaVersion\": 2,", "\"schemaVersion\": 3,"),
            "schemaVersion: must be 2"),
        Arguments.of("no config", DOCKER_V2S2.replaceFirst("\"config\"", "\"konfig\""), "config: required field is missing"),
        Arguments.of("no layers", DOCKER_V2S2.replace("\"layers\"", "\"lagers\""), "layers: required field is missing"),
        Arguments.of("bad digest", DOCKER_V2S2.replace(C, "sha256:xyz"), "layers[1].digest: invalid digest \"sha256:xyz\""),
        Arguments.of("upper-case digest", DOCKER_V2S2.replace(B, B.toUpperCase()), "layers[0].digest: invalid digest"),
        Arguments.of("negative size", DOCKER_V2S2.replace("32654", "-1"), "layers[0].size: must be a non-negative"),
        Arguments.of("string size", DOCKER_V2S2.replace("32654", "\"32654\""), "layers[0].size: must be a non-negative"),
        Arguments.of("fractional size", DOCKER_V2S2.replace("32654", "1.5"), "layers[0].size: must be a non-negative"),
        Arguments.of("missing size", DOCKER_V2S2.replace("\"size\": 7023,", ""), "config.size: required field is missing"),
        Arguments.of("bad layer media type", DOCKER_V2S2.replace(
            "application/vnd.docker.image.rootfs.diff.tar.gzip", "not a media type"), "layers[0].mediaType: \"not a media type\""),
        Arguments.of("layer not an object", DOCKER_V2S2.replaceFirst("\\{\n\\s+\"mediaType\": \"application/vnd.docker.image.rootfs.diff", "7, {\"mediaType\": \"x/y"),
            "layers[0]: must be a descriptor object"),
        Arguments.of("platform without os", OCI_INDEX.replace("\"architecture\": \"amd64\", \"os\": \"linux\"", "\"architecture\": \"amd64\""),
            "manifests[0].platform.os: required field is missing"),
        Arguments.of("annotation not a string", OCI_INDEX.replace("\"1.27\"", "1.27"), "annotations[\"org.opencontainers.image.ref.name\"]: must be a string"),
        Arguments.of("subject bad digest", OCI_ARTIFACT.replace(B, "sha256:" + "b".repeat(63)), "subject.digest: invalid digest"),
        Arguments.of("data does not match size", OCI_ARTIFACT.replace("\"e30=\"", "\"e30xMjM=\""), "config.data: decodes to 5 bytes but size is 2"),
        Arguments.of("cannot tell", "{\"schemaVersion\": 2}", "cannot tell whether"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void malformed(String name, String json, String expectedMessage) {
    assertThatThrownBy(() -> Manifest.parse(bytes(json), null))
        .isInstanceOfSatisfying(InvalidManifestException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.MALFORMED))
        .hasMessageContaining(expectedMessage);
  }

  @Test
  void contentTypeThatContradictsTheBodyIsRefused() {
    assertThatThrownBy(() -> Manifest.parse(bytes(DOCKER_V2S2), MediaTypes.OCI_MANIFEST))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("mediaType")
        .hasMessageContaining(MediaTypes.DOCKER_MANIFEST)
        .hasMessageContaining(MediaTypes.OCI_MANIFEST);
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/vnd.oci.artifact.manifest.v1+json", "text/html"})
  void unsupportedContentTypeIsRefused(String contentType) {
    assertThatThrownBy(() -> Manifest.parse(bytes(DOCKER_V2S2), contentType))
        .isInstanceOfSatisfying(InvalidManifestException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.UNSUPPORTED_MEDIA_TYPE))
        .hasMessageContaining(contentType);
  }

  @Test
  void unsupportedBodyMediaTypeIsRefused() {
    String body = DOCKER_V2S2.replace("\"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\"",
        "\"mediaType\": \"application/vnd.oci.artifact.manifest.v1+json\"");
    assertThatThrownBy(() -> Manifest.parse(bytes(body), "application/json"))
        .isInstanceOfSatisfying(InvalidManifestException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.UNSUPPORTED_MEDIA_TYPE))
        .hasMessageContaining("application/vnd.oci.artifact.manifest.v1+json");
  }

  // --- equality ---

  @Test
  void equalityIsByMediaTypeAndBytes() {
    Manifest a = Manifest.parse(bytes(DOCKER_V2S2), MediaTypes.DOCKER_MANIFEST);
    Manifest b = Manifest.parse(bytes(DOCKER_V2S2), null);
    Manifest c = Manifest.parse(bytes(DOCKER_V2S2 + "\n"), null);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
    assertThat(a.toString()).contains(a.digest().toString()).contains(MediaTypes.DOCKER_MANIFEST);
  }

  @Test
  void mediaTypesHelpers() {
    assertThat(MediaTypes.isIndex(MediaTypes.OCI_INDEX + "; charset=utf-8")).isTrue();
    assertThat(MediaTypes.isIndex(MediaTypes.DOCKER_MANIFEST_LIST)).isTrue();
    assertThat(MediaTypes.isIndex(MediaTypes.OCI_MANIFEST)).isFalse();
    assertThat(MediaTypes.isImageManifest(MediaTypes.DOCKER_MANIFEST)).isTrue();
    assertThat(MediaTypes.isImageManifest(MediaTypes.OCI_MANIFEST)).isTrue();
    assertThat(MediaTypes.isImageManifest(MediaTypes.DOCKER_MANIFEST_LIST)).isFalse();
    assertThat(MediaTypes.isSchema1(MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST)).isTrue();
    assertThat(MediaTypes.isSchema1(MediaTypes.DOCKER_MANIFEST)).isFalse();
    assertThat(MediaTypes.isImageManifest(null)).isFalse();
    assertThat(MediaTypes.ACCEPT.split(", ")).containsExactlyInAnyOrder(
        MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);
  }

  @Test
  void annotationsAreUnmodifiable() {
    Manifest m = Manifest.parse(bytes(OCI_ARTIFACT), null);
    assertThatThrownBy(() -> m.annotations().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(m.annotations()).isEqualTo(Map.of(
        "org.opencontainers.image.created", "2024-01-02T03:04:05Z", "com.example.b", "2"));
    assertThat(((ImageManifest) m).config().annotations()).isEmpty();
    assertThat(((ImageManifest) m).config().platform()).isEqualTo(Optional.empty());
  }
}
