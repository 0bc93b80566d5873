package dev.holdfast.oci.copy;

import static dev.holdfast.oci.copy.Registries.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdfast.oci.manifest.ImageIndex;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.manifest.Platform;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryRequest;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import dev.holdfast.oci.testing.WrittenImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry to registry copies through every auth mode: the source is plain HTTP, the destinations
 * use htpasswd over TLS and Bearer tokens. Digests are checked with skopeo, skips and mounts are
 * counted in the destination's access log.
 */
class CopyEngineIT {
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension basic = RegistryExtension.basicAuth();
  @RegisterExtension static final RegistryExtension token = RegistryExtension.token();

  @TempDir static Path work;
  static Skopeo skopeo;
  static RegistryClient client;
  static CopyEngine engine;
  static WrittenImage ociSingle;
  static WrittenImage ociMulti;
  static WrittenImage dockerMulti;
  static WrittenImage sibling;

  @BeforeAll
  static void seed() {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    SyntheticImage.Builder small = SyntheticImage.builder().layers(2).layerSize(40_000)
        .baseLayers(1).baseLayerSize(60_000).baseSeed(7);
    Path layout = work.resolve("layout");
    ociSingle = small.seed(1).format(Format.OCI).platforms("linux/amd64").build().writeTo(layout, "oci-single");
    ociMulti = small.seed(2).format(Format.OCI).multiArch().build().writeTo(layout, "oci-multi");
    dockerMulti = small.seed(3).format(Format.DOCKER).multiArch().build().writeTo(layout, "docker-multi");
    sibling = small.seed(4).format(Format.OCI).platforms("linux/amd64").build().writeTo(layout, "sibling");
    skopeo.push(ociSingle, source.image("src/oci-single:1"));
    skopeo.push(ociMulti, source.image("src/oci-multi:1"));
    skopeo.push(dockerMulti, source.image("src/docker-multi:1"));
    skopeo.push(sibling, source.image("src/sibling:1"));
    client = Registries.client(source, basic, token);
    engine = CopyEngine.builder(client).build();
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static CopyResult.Copied copied(CopyResult result) {
    assertThat(result).as("%s", result).isInstanceOf(CopyResult.Copied.class);
    return (CopyResult.Copied) result;
  }

  @Test
  void singleArchOciIndexAndDockerListKeepTheirDigestsOverTlsAndBasicAuth() {
    List<CopyResult> results = engine.copyAll(List.of(
        CopyRequest.of(at(source, "src/oci-single:1"), at(basic, "dst/oci-single:1"), CopyOptions.defaults()),
        CopyRequest.of(at(source, "src/oci-multi:1"), at(basic, "dst/oci-multi:1"), CopyOptions.defaults()),
        CopyRequest.of(at(source, "src/docker-multi:1"), at(basic, "dst/docker-multi:1"), CopyOptions.defaults())));

    List<WrittenImage> images = List.of(ociSingle, ociMulti, dockerMulti);
    List<String> repositories = List.of("dst/oci-single:1", "dst/oci-multi:1", "dst/docker-multi:1");
    for (int i = 0; i < 3; i++) {
      CopyResult.Copied copied = copied(results.get(i));
      assertThat(copied.digest()).hasToString(images.get(i).digest());
      assertThat(copied.platformFilterChangedDigest()).isFalse();
      assertThat(skopeo.digestOf(basic.image(repositories.get(i)))).isEqualTo(images.get(i).digest());
      // Into a new repository, each distinct blob is streamed or mounted once; repeats within the
      // image (a base layer shared by two platforms) count as skipped.
      assertThat(copied.stats().blobsCopied() + copied.stats().blobsMounted())
          .isEqualTo(images.get(i).blobs().size());
    }
    assertThat(skopeo.inspectRaw(basic.image("dst/docker-multi:1"))).isEqualTo(dockerMulti.topBytes());
    // Each manifest crosses once: the children by digest, the top one by its tag, last.
    assertThat(basic.requests()).filteredOn(r -> r.isManifestPut() && r.repository().equals(Optional.of("dst/oci-single")))
        .extracting(RegistryRequest::path).containsExactly("/v2/dst/oci-single/manifests/1");
    assertThat(basic.requests()).filteredOn(r -> r.isManifestPut() && r.repository().equals(Optional.of("dst/oci-multi")))
        .hasSize(ociMulti.manifests().size() + 1)
        .last().extracting(RegistryRequest::path).isEqualTo("/v2/dst/oci-multi/manifests/1");
  }

  @Test
  void manyImagesStartingTogetherProbeEachRegistryOnce() {
    source.clearRequests();
    token.clearRequests();
    List<String> names = List.of("oci-single", "oci-multi", "docker-multi", "sibling");
    try (CopyEngine fresh = CopyEngine.builder(Registries.client(source, basic, token)).build()) {
      List<CopyResult> results = fresh.copyAll(names.stream()
          .map(n -> CopyRequest.of(at(source, "src/" + n + ":1"), at(token, "probe/" + n + ":1"), CopyOptions.defaults()))
          .toList());
      results.forEach(CopyEngineIT::copied);
    }
    assertThat(source.requests()).filteredOn(r -> r.path().equals("/v2/")).hasSize(1);
    assertThat(token.requests()).filteredOn(r -> r.path().equals("/v2/")).hasSize(1);
  }

  @Test
  void aSecondCopyFindsTheTagAndUploadsNothing() {
    CopyRequest request = CopyRequest.of(at(source, "src/oci-multi:1"), at(token, "again/oci-multi:1"),
        CopyOptions.defaults());
    copied(engine.copy(request));
    token.clearRequests();
    source.clearRequests();

    CopyResult again = engine.copy(request);

    assertThat(again).isInstanceOf(CopyResult.AlreadyPresent.class);
    assertThat(again.stats().bytes()).isZero();
    List<RegistryRequest> requests = token.requests();
    assertThat(requests).noneMatch(r -> r.isBlobUpload() || r.isManifestPut());
    assertThat(requests).as("only HEADs (and perhaps the API probe)")
        .allMatch(r -> r.method().equals("HEAD") || r.path().equals("/v2/"))
        .anyMatch(r -> r.method().equals("HEAD") && r.path().endsWith("/manifests/1"));
    assertThat(source.requests()).as("the source is asked with HEAD only").allMatch(r -> r.method().equals("HEAD"));
  }

  @Test
  void sharedBlobsCrossTheNetworkOnceAndAreMountedIntoOtherRepositories() {
    token.clearRequests();
    source.clearRequests();
    List<CopyResult> results;
    try (CopyEngine fresh = CopyEngine.builder(client).build()) { // knows nothing of earlier tests
      results = fresh.copyAll(List.of(
          CopyRequest.of(at(source, "src/oci-single:1"), at(token, "shared/a:1"), CopyOptions.defaults()),
          CopyRequest.of(at(source, "src/sibling:1"), at(token, "shared/b:1"), CopyOptions.defaults())));
    }
    results.forEach(CopyEngineIT::copied);

    String base = ociSingle.layers().get(0).digest();
    assertThat(sibling.layers()).extracting(l -> l.digest()).contains(base);
    long baseDownloads = source.requests().stream()
        .filter(r -> r.isBlobGet() && r.path().contains(base)).count();
    assertThat(baseDownloads).as("the shared base layer is read from the source once").isEqualTo(1);
    assertThat(token.requests()).filteredOn(RegistryRequest::isMount)
        .extracting(r -> r.mountedDigest().orElseThrow())
        .contains(base);
    int mounted = results.stream().mapToInt(r -> r.stats().blobsMounted()).sum();
    assertThat(mounted).isGreaterThanOrEqualTo(1);
    // the repository that mounts it does not ask first: this run brought the blob into the
    // registry, so only the repository it was streamed to asked about it (a small blob is asked
    // about by opening its upload, see BlobCheckIT)
    assertThat(token.requests()).filteredOn(r -> asksAbout(r, base)).hasSize(1);
  }

  /** A request that asks whether its repository has the blob: a HEAD, or a mount from itself (201 or 202). */
  private static boolean asksAbout(RegistryRequest r, String digest) {
    return r.method().equals("HEAD") && r.path().endsWith("/blobs/" + digest)
        || r.mountedDigest().equals(Optional.of(digest)) && r.path().contains("&from=" + r.repository().orElseThrow());
  }

  @Test
  void theSourceTagIsResolvedWithAHeadOnlyWhenTheDestinationHasTheTag() {
    source.clearRequests();
    CopyRequest first = CopyRequest.of(at(source, "src/oci-single:1"), at(token, "order/app:1"), CopyOptions.defaults());
    copied(engine.copy(first));
    // Nothing at the destination: the manifest is needed anyway, and one GET by tag reads it.
    awaitSourceManifestRequests("src/oci-single", "GET /v2/src/oci-single/manifests/1");

    source.clearRequests();
    CopyResult.Copied moved = copied(engine.copy(
        CopyRequest.of(at(source, "src/sibling:1"), at(token, "order/app:1"), CopyOptions.defaults())));
    // The destination tag points elsewhere: HEAD to compare, then the manifest by the digest it named.
    awaitSourceManifestRequests("src/sibling",
        "HEAD /v2/src/sibling/manifests/1", "GET /v2/src/sibling/manifests/" + sibling.digest());
    assertThat(moved.digest()).hasToString(sibling.digest());
    assertThat(skopeo.digestOf(token.image("order/app:1"))).isEqualTo(sibling.digest());
  }

  /** The manifest requests the source served for {@code repository}, as "METHOD path", are these. */
  private static void awaitSourceManifestRequests(String repository, String... expected) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(source.requests().stream()
        .filter(r -> r.repository().equals(Optional.of(repository)) && r.path().contains("/manifests/"))
        .map(r -> r.method() + " " + r.path()))
        .containsExactly(expected));
  }

  @Test
  void blobsTheDestinationHasAreSkippedAfterAsking() {
    copied(engine.copy(CopyRequest.of(at(source, "src/oci-single:1"), at(basic, "skip/app:1"), CopyOptions.defaults())));
    basic.clearRequests();

    CopyResult.Copied second;
    try (CopyEngine fresh = CopyEngine.builder(client).build()) { // must ask the registry, not remember
      second = copied(fresh.copy(
          CopyRequest.of(at(source, "src/sibling:1"), at(basic, "skip/app:2"), CopyOptions.defaults())));
    }

    String base = ociSingle.layers().get(0).digest();
    assertThat(second.stats().blobsSkipped()).isGreaterThanOrEqualTo(1);
    assertThat(basic.requests()).filteredOn(RegistryRequest::isBlobUpload)
        .noneMatch(r -> r.path().contains(base));
    assertThat(basic.requests()).anyMatch(r -> asksAbout(r, base) && (r.status() == 200 || r.isFoundByMountingItself()));
  }

  @Test
  void aPlatformFilterWritesASmallerIndexAndSaysTheDigestChanged() {
    CopyResult.Copied copied = copied(engine.copy(CopyRequest.of(at(source, "src/oci-multi:1"),
        at(token, "filtered/app:1"), CopyOptions.defaults().withPlatforms(List.of(Platform.parse("linux/arm64"))))));

    assertThat(copied.platformFilterChangedDigest()).isTrue();
    assertThat(copied.sourceDigest()).hasToString(ociMulti.digest());
    assertThat(copied.digest()).isNotEqualTo(copied.sourceDigest());
    assertThat(skopeo.digestOf(token.image("filtered/app:1"))).isEqualTo(copied.digest().toString());
    Manifest index = client.getManifest(Registries.ref(token, "filtered/app:1"));
    assertThat(((ImageIndex) index).manifests()).singleElement()
        .satisfies(d -> assertThat(d.platform().orElseThrow().architecture()).isEqualTo("arm64"));
  }

  @Test
  void aMissingSourceFailsThatImageAndTheOthersGoOn() {
    List<CopyResult> results = engine.copyAll(List.of(
        CopyRequest.of(at(source, "src/missing:1"), at(basic, "m/missing:1"), CopyOptions.defaults()),
        CopyRequest.of(at(source, "src/oci-single:1"), at(basic, "m/present:1"), CopyOptions.defaults())));
    assertThat(results.get(0)).isInstanceOfSatisfying(CopyResult.Failed.class, failed -> {
      assertThat(failed.cause()).isInstanceOf(CopyException.SourceUnavailable.class)
          .hasMessageContaining("src/missing:1");
      assertThat(failed.servedBy()).isEmpty();
    });
    copied(results.get(1));
  }

  @Test
  void theNextSourceServesWhenTheFirstLacksTheImage() {
    CopyRequest request = new CopyRequest(List.of(at(source, "mirror/absent:1"), at(source, "src/oci-single:1")),
        at(token, "fallback/app:1"), CopyOptions.defaults());
    CopyResult result = engine.copy(request);
    assertThat(result.servedBy()).contains(at(source, "src/oci-single:1"));
    assertThat(skopeo.digestOf(token.image("fallback/app:1"))).isEqualTo(ociSingle.digest());
  }

  @Test
  void withinOneRegistryEveryBlobIsMountedFromTheSourceRepository() {
    copied(engine.copy(CopyRequest.of(at(source, "src/oci-multi:1"), at(token, "inside/a:1"), CopyOptions.defaults())));
    token.clearRequests();

    CopyResult.Copied copy;
    try (CopyEngine fresh = CopyEngine.builder(client).build()) {
      copy = copied(fresh.copy(CopyRequest.of(at(token, "inside/a:1"), at(token, "inside/b:1"), CopyOptions.defaults())));
    }

    assertThat(copy.stats().blobsCopied()).isZero();
    assertThat(copy.stats().blobsMounted()).isEqualTo(ociMulti.blobs().size());
    assertThat(token.requests()).noneMatch(RegistryRequest::isBlobGet);
    assertThat(token.requests()).filteredOn(RegistryRequest::isMount).hasSize(ociMulti.blobs().size());
    assertThat(skopeo.digestOf(token.image("inside/b:1"))).isEqualTo(ociMulti.digest());
  }
}
