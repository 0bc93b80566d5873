package dev.holdfast.oci.copy;

import static dev.holdfast.oci.copy.Registries.at;
import static dev.holdfast.oci.copy.Registries.ref;
import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.ImageIndex;
import dev.holdfast.oci.manifest.ImageManifest;
import dev.holdfast.oci.manifest.MediaTypes;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --with-referrers}: cosign's {@code sha256-<hex>.sig}/{@code .att} tags and an OCI 1.1
 * referrer with a {@code subject}, which distribution 2.8 (no referrers API) lists through the
 * {@code sha256-<hex>} tag schema. Source with Bearer tokens, destination over TLS.
 */
class ReferrersCopyIT {
  @RegisterExtension static final RegistryExtension source = RegistryExtension.token();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.tls();

  private static final String SBOM_TYPE = "application/spdx+json";

  @TempDir static Path work;
  static Skopeo skopeo;
  static RegistryClient client;
  static CopyEngine engine;
  static WrittenImage image;
  static ImageManifest signature;
  static ImageManifest attestation;
  static ImageManifest sbom;
  static String sigTag;
  static String attTag;
  static String fallbackTag;

  @BeforeAll
  static void seed() {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    image = SyntheticImage.builder().seed(31).layers(1).layerSize(20_000).format(Format.OCI).multiArch().build()
        .writeTo(work.resolve("seed"), "signed");
    skopeo.push(image, source.image("app/signed:1"));
    client = Registries.client(source, destination);
    ImageReference repo = ref(source, "app/signed:1");

    Digest top = Digest.parse(image.digest());
    Digest child = Digest.parse(image.manifests().get(0).manifest().digest());
    sigTag = "sha256-" + top.encoded() + ".sig";
    attTag = "sha256-" + child.encoded() + ".att";
    fallbackTag = "sha256-" + top.encoded();

    signature = artifact(repo, "application/vnd.dev.cosign.simplesigning.v1+json", "{\"critical\":{}}", null, null);
    client.putManifest(repo.withTag(sigTag), signature);
    attestation = artifact(repo, "application/vnd.dsse.envelope.v1+json", "{\"payloadType\":\"x\"}", null, null);
    client.putManifest(repo.withTag(attTag), attestation);
    Descriptor subject = Descriptor.of(image.mediaType(), top, image.top().size());
    sbom = artifact(repo, SBOM_TYPE, "{\"spdxVersion\":\"SPDX-2.3\"}", subject, SBOM_TYPE);
    client.putManifest(repo.withDigest(sbom.digest()).withoutTag(), sbom);
    // distribution 2.8 has no referrers API: the pusher keeps the tag-schema index itself.
    client.putManifest(repo.withTag(fallbackTag),
        ImageIndex.of(MediaTypes.OCI_INDEX, List.of(sbom.descriptor().withArtifactType(SBOM_TYPE))));
    engine = CopyEngine.builder(client).build();
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static ImageManifest artifact(ImageReference repo, String layerType, String payload, Descriptor subject,
      String artifactType) {
    byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
    Descriptor config = Descriptor.of(MediaTypes.OCI_EMPTY, Digest.sha256(empty), empty.length);
    byte[] content = payload.getBytes(StandardCharsets.UTF_8);
    Descriptor layer = Descriptor.of(layerType, Digest.sha256(content), content.length)
        .withAnnotations(Map.of("dev.holdfast.test", "payload"));
    client.pushBlob(repo, config, new ByteArrayInputStream(empty));
    client.pushBlob(repo, layer, new ByteArrayInputStream(content));
    ImageManifest.Builder builder = ImageManifest.builder(MediaTypes.OCI_MANIFEST).config(config).layers(List.of(layer));
    if (subject != null) {
      builder.subject(subject).artifactType(artifactType);
    }
    return builder.build();
  }

  @Test
  void withReferrersTheCopyStaysVerifiable() {
    CopyResult result = engine.copy(CopyRequest.of(at(source, "app/signed:1"), at(destination, "mirror/signed:1"),
        CopyOptions.defaults().withReferrers(true)));

    assertThat(result).isInstanceOf(CopyResult.Copied.class);
    assertThat(result.stats().referrers()).isGreaterThanOrEqualTo(3);
    ImageReference copy = ref(destination, "mirror/signed:1");
    assertThat(client.listTags(copy)).contains("1", sigTag, attTag, fallbackTag);
    assertThat(skopeo.inspectRaw(destination.image("mirror/signed:" + sigTag))).isEqualTo(signature.raw());
    assertThat(skopeo.inspectRaw(destination.image("mirror/signed:" + attTag))).isEqualTo(attestation.raw());
    ImageIndex referrers = client.referrers(copy.withDigest(Digest.parse(image.digest())).withoutTag(), Optional.empty());
    assertThat(referrers.manifests()).extracting(Descriptor::digest).containsExactly(sbom.digest());
    assertThat(client.headManifest(copy.withDigest(sbom.digest()).withoutTag())).isPresent();
  }

  @Test
  void referrersAddedLaterAreCopiedEvenWhenTheImageIsThere() {
    engine.copy(CopyRequest.of(at(source, "app/signed:1"), at(destination, "later/signed:1"), CopyOptions.defaults()));
    assertThat(client.listTags(ref(destination, "later/signed:1"))).containsExactly("1");

    CopyResult again = engine.copy(CopyRequest.of(at(source, "app/signed:1"), at(destination, "later/signed:1"),
        CopyOptions.defaults().withReferrers(true)));

    assertThat(again).isInstanceOf(CopyResult.AlreadyPresent.class);
    assertThat(client.listTags(ref(destination, "later/signed:1"))).contains(sigTag, attTag, fallbackTag);
  }

  @Test
  void referrersTravelThroughAnOciLayoutAsSiblingNames() {
    ImageLocation.Layout layout = ImageLocation.Layout.of(work.resolve("air-gap"), "example.com/app/signed:1");
    CopyResult out = engine.copy(CopyRequest.of(at(source, "app/signed:1"), layout,
        CopyOptions.defaults().withReferrers(true)));
    assertThat(out).isInstanceOf(CopyResult.Copied.class);
    assertThat(dev.holdfast.oci.layout.OciLayout.open(layout.directory()).names()).contains(
        "example.com/app/signed:1", "example.com/app/signed:" + sigTag, "example.com/app/signed:" + attTag,
        "example.com/app/signed:" + fallbackTag);

    CopyResult in = engine.copy(CopyRequest.of(layout, at(destination, "roundtrip/signed:1"),
        CopyOptions.defaults().withReferrers(true)));
    assertThat(in).isInstanceOf(CopyResult.Copied.class);
    assertThat(client.listTags(ref(destination, "roundtrip/signed:1"))).contains("1", sigTag, attTag, fallbackTag);
    assertThat(skopeo.inspectRaw(destination.image("roundtrip/signed:" + sigTag))).isEqualTo(signature.raw());
  }
}
