package dev.holdfast.oci.copy;

import static dev.holdfast.oci.copy.Registries.at;
import static dev.holdfast.oci.copy.Registries.ref;
import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.FaultProxy;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.Descriptor;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryRequest;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the engine finds out whether the destination repository already has a blob, seen in a real
 * registry's access log. A blob of up to {@link Transfers#ASK_WHILE_UPLOADING} bytes is asked
 * about while its upload is opened: a mount of the blob from the repository itself answers 201
 * when the blob is there and otherwise opens the upload (202), one request instead of a HEAD and
 * a POST. A larger blob gets a HEAD first.
 *
 * <p>Against a registry that cannot mount (a {@link FaultProxy} that drops the mount parameters),
 * small blobs the registry has are uploaded again, which is correct and bounded, and large ones are
 * still not. Against a registry that answers mount requests with an error, the client asks with
 * HEAD and uploads without mounting from then on.
 */
class BlobCheckIT {
  private static final long LARGE = Transfers.ASK_WHILE_UPLOADING + 1_000_000;

  @RegisterExtension static final RegistryExtension registry = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension upstream = RegistryExtension.plain();

  @TempDir static Path work;
  static Skopeo skopeo;
  static RegistryClient client;
  static FaultProxy proxy;
  /** Config, a large shared base layer and a small own layer. */
  static WrittenImage app;
  static WrittenImage sibling;

  @BeforeAll
  static void seed() {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    SyntheticImage.Builder image = SyntheticImage.builder().format(Format.OCI).platforms("linux/amd64")
        .baseLayers(1).baseLayerSize(LARGE).baseSeed(3).layers(1).layerSize(100_000);
    app = image.seed(1).build().writeTo(work.resolve("layout"), "app");
    sibling = image.seed(2).build().writeTo(work.resolve("layout"), "sibling");
    client = Registries.client(registry, upstream);
    proxy = new FaultProxy(upstream.baseUri());
    // the client's one probe upload per registry (does it check digests?) is not counted below
    assertThat(client.verifiesBlobDigests(ref(registry, "probe/digests"))).isTrue();
    assertThat(client.verifiesBlobDigests(ImageReference.parse(proxy.hostPort() + "/probe/digests"))).isTrue();
  }

  @AfterAll
  static void close() {
    proxy.close();
    client.close();
  }

  @BeforeEach
  void clean() {
    proxy.reset();
    registry.clearRequests();
  }

  private static Descriptor large(WrittenImage image) {
    Descriptor base = image.layers().get(0);
    assertThat(base.size()).isGreaterThan(Transfers.ASK_WHILE_UPLOADING);
    return base;
  }

  private static List<Descriptor> small(WrittenImage image) {
    List<Descriptor> small = image.blobs().stream().filter(b -> b.size() <= Transfers.ASK_WHILE_UPLOADING).toList();
    assertThat(small).hasSize(2); // the config and the own layer
    return small;
  }

  private static CopyResult.Copied copy(RegistryClient with, String tag, ImageLocation to) {
    try (CopyEngine engine = CopyEngine.builder(with).build()) {
      CopyResult result = engine.copy(CopyRequest.of(
          ImageLocation.parse("oci:" + work.resolve("layout") + ":" + tag), to, CopyOptions.defaults()));
      assertThat(result).as("%s", result).isInstanceOf(CopyResult.Copied.class);
      return (CopyResult.Copied) result;
    }
  }

  private static List<String> about(List<RegistryRequest> requests, String repository, Descriptor blob) {
    return requests.stream()
        .filter(r -> r.repository().equals(Optional.of(repository)) && r.path().contains(blob.digest()))
        .map(r -> r.method() + " " + r.status() + (r.path().contains("mount=") ? " mount" : ""))
        .toList();
  }

  private static void pushBlobs(ImageReference repository, WrittenImage image) {
    for (Descriptor blob : image.blobs()) {
      client.pushBlob(repository, dev.holdfast.oci.manifest.Descriptor.of(blob.mediaType(),
          Digest.parse(blob.digest()), blob.size()), new ByteArrayInputStream(image.readBlob(blob.digest())));
    }
  }

  @Test
  void aSmallBlobIsAskedAboutWhileItsUploadOpensALargeOneWithAHeadFirst() {
    copy(client, "app", at(registry, "fresh/app:1"));

    List<RegistryRequest> requests = registry.requests();
    for (Descriptor blob : small(app)) {
      assertThat(about(requests, "fresh/app", blob)).as("requests about %s", blob.digest())
          .containsExactly("POST 202 mount", "PUT 201");
    }
    assertThat(about(requests, "fresh/app", large(app))).as("requests about the large layer")
        .containsExactly("HEAD 404", "PUT 201");
    assertThat(skopeo.digestOf(registry.image("fresh/app:1"))).isEqualTo(app.digest());
  }

  @Test
  void blobsAnInterruptedCopyLeftAreNotSentAgain() {
    pushBlobs(ref(registry, "left/app"), app); // what a copy stopped before its manifest leaves
    registry.clearRequests();

    CopyResult.Copied copied = copy(client, "app", at(registry, "left/app:1"));

    assertThat(copied.stats().blobsSkipped()).isEqualTo(app.blobs().size());
    assertThat(copied.stats().blobsCopied()).isZero();
    List<RegistryRequest> requests = registry.requests();
    assertThat(requests).noneMatch(RegistryRequest::isBlobUpload);
    for (Descriptor blob : small(app)) {
      assertThat(requests).filteredOn(r -> r.path().contains(blob.digest()))
          .singleElement().matches(RegistryRequest::isFoundByMountingItself, "found by mounting itself");
    }
    assertThat(about(requests, "left/app", large(app))).containsExactly("HEAD 200");
    assertThat(skopeo.digestOf(registry.image("left/app:1"))).isEqualTo(app.digest());
  }

  @Test
  void aRegistryThatCannotMountGetsSmallBlobsItHasAgainButNotALargeOne() {
    pushBlobs(ImageReference.parse(proxy.hostPort() + "/nomount/app"), app);
    proxy.reset();
    proxy.ignoreMounts = true;

    CopyResult.Copied copied = copy(client, "app", new ImageLocation.Registry(
        ImageReference.parse(proxy.hostPort() + "/nomount/app:1")));

    for (Descriptor blob : small(app)) {
      assertThat(proxy.seen).as("%s uploaded again", blob.digest())
          .anyMatch(s -> s.method().equals("PUT") && s.path().contains("digest=" + blob.digest()));
    }
    assertThat(proxy.seen).as("the large layer is found with a HEAD and not uploaded")
        .anyMatch(s -> s.method().equals("HEAD") && s.path().endsWith("/blobs/" + large(app).digest()))
        .noneMatch(s -> s.method().equals("PUT") && s.path().contains("digest=" + large(app).digest()));
    assertThat(copied.stats().blobsSkipped()).isEqualTo(1);
    assertThat(skopeo.digestOf(upstream.image("nomount/app:1"))).isEqualTo(app.digest());
  }

  @Test
  void aRegistryThatRefusesMountsIsAskedWithHeadAndUploadedToWithoutMounts() {
    proxy.refuseMounts = true;
    try (RegistryClient fresh = Registries.client(upstream)) { // has not met the proxy's refusal yet
      try (CopyEngine engine = CopyEngine.builder(fresh).build()) {
        List<CopyResult> results = engine.copyAll(List.of(
            CopyRequest.of(ImageLocation.parse("oci:" + work.resolve("layout") + ":app"),
                new ImageLocation.Registry(ImageReference.parse(proxy.hostPort() + "/refused/app:1")),
                CopyOptions.defaults()),
            CopyRequest.of(ImageLocation.parse("oci:" + work.resolve("layout") + ":sibling"),
                new ImageLocation.Registry(ImageReference.parse(proxy.hostPort() + "/refused/sibling:1")),
                CopyOptions.defaults())));
        assertThat(results).allSatisfy(r -> assertThat(r).as("%s", r).isInstanceOf(CopyResult.Copied.class));
      }
      assertThat(proxy.seen).as("a mount was asked for and refused").anyMatch(s -> s.path().contains("mount="));
      // the shared large layer went into both repositories: without mounts it crossed twice
      assertThat(proxy.seen).filteredOn(s -> s.method().equals("PUT") && s.path().contains("digest=" + large(app).digest()))
          .hasSize(2);

      proxy.seen.clear();
      copy(fresh, "app", new ImageLocation.Registry(ImageReference.parse(proxy.hostPort() + "/refused/again:1")));
      assertThat(proxy.seen).as("the client remembers the refusal").noneMatch(s -> s.path().contains("mount="))
          .anyMatch(s -> s.method().equals("HEAD") && s.path().contains("/blobs/"));
    }
    assertThat(skopeo.digestOf(upstream.image("refused/app:1"))).isEqualTo(app.digest());
    assertThat(skopeo.digestOf(upstream.image("refused/sibling:1"))).isEqualTo(sibling.digest());
    assertThat(skopeo.digestOf(upstream.image("refused/again:1"))).isEqualTo(app.digest());
  }
}
