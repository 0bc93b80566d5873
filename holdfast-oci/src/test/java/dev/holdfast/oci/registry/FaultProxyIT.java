package dev.holdfast.oci.registry;

import static dev.holdfast.oci.registry.TestClients.descriptor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged answers from a real registry (Bearer token mode, so requests carry credentials), through
 * {@link FaultProxy}: the client detects corruption and truncation, waits as {@code Retry-After}
 * says, gives up with the right exception, keeps credentials on the registry's host when
 * redirected, and follows paged tag lists.
 */
class FaultProxyIT {

  @RegisterExtension static final RegistryExtension registry = RegistryExtension.token();

  @TempDir static Path work;
  static WrittenImage image;
  static FaultProxy proxy;
  static HttpServer storage;
  static final List<Boolean> storageSawAuthorization = new CopyOnWriteArrayList<>();

  final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  RegistryClient client;
  ImageReference ref;
  Descriptor layer;

  @BeforeAll
  static void seed() throws IOException {
    image = SyntheticImage.builder().seed(21).layers(1).layerSize(50_000).build()
        .writeTo(work.resolve("layout"), "fault");
    Skopeo.create(work.resolve("skopeo")).push(image, registry.image("fault/app:v1"));
    proxy = new FaultProxy(registry.baseUri());
    proxy.challenge = "Bearer realm=\"" + registry.tokenServer().realm() + "\",service=\"holdfast-test-registry\"";
    // "object storage" on another host name (localhost, not 127.0.0.1) serving the layout's blobs
    storage = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    storage.createContext("/storage/", exchange -> {
      try (exchange) {
        storageSawAuthorization.add(exchange.getRequestHeaders().containsKey("Authorization"));
        String digest = exchange.getRequestURI().getPath().substring("/storage/".length());
        byte[] blob = image.readBlob(digest);
        exchange.sendResponseHeaders(200, blob.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(blob);
        }
      }
    });
    storage.start();
  }

  @AfterAll
  static void stop() {
    proxy.close();
    storage.stop(0);
  }

  @BeforeEach
  void client() {
    proxy.reset();
    storageSawAuthorization.clear();
    client = RegistryClient.builder()
        .credentials((host, repository) -> Optional.of(
            new Credential.Basic(registry.credentials().username(), registry.credentials().password())))
        .retryPolicy(new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(30)))
        .sleeper(sleeps::add)
        .build();
    ref = ImageReference.parse(proxy.hostPort() + "/fault/app:v1");
    layer = descriptor(image.manifests().get(0).layers().get(0));
    client.getManifest(ref); // warm up: scheme decided, token cached
    proxy.seen.clear();
  }

  @Test
  void corruptedBlobFailsNamingBothDigests() throws IOException {
    proxy.corruptBlobs = true;
    try (InputStream in = client.openBlob(ref, layer)) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOfSatisfying(DigestMismatchException.class, e -> {
            assertThat(e.expectedDigest()).isEqualTo(layer.digest());
            assertThat(e.actualDigest()).isNotNull().isNotEqualTo(layer.digest());
            assertThat(e.actualSize()).isEqualTo(layer.size());
            assertThat(e.getMessage()).contains(layer.digest().toString())
                .contains(e.actualDigest().toString()).contains("pull blob").contains(proxy.hostPort());
            assertThat(e.isRetryable()).isTrue();
          });
    }
  }

  @Test
  void truncatedBlobFailsNamingBothSizes() throws IOException {
    proxy.truncateBlobs = true;
    try (InputStream in = client.openBlob(ref, layer)) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOfSatisfying(DigestMismatchException.class, e -> {
            assertThat(e.expectedSize()).isEqualTo(layer.size());
            assertThat(e.actualSize()).isEqualTo(layer.size() - 100);
            assertThat(e.getMessage()).contains("expected " + layer.size() + " bytes")
                .contains("got " + (layer.size() - 100) + " bytes");
          });
    }
  }

  @Test
  void anUnhashedStreamPassesCorruptedBytesButChecksTheLength() throws IOException {
    byte[] original = image.readBlob(layer.digest().toString());
    proxy.corruptBlobs = true;
    try (InputStream in = client.openBlobUnhashed(ref, layer)) {
      byte[] read = in.readAllBytes(); // the registry it goes to checks the digest, not this stream
      assertThat(read).hasSameSizeAs(original).isNotEqualTo(original);
    }
    proxy.corruptBlobs = false;
    proxy.truncateBlobs = true;
    try (InputStream in = client.openBlobUnhashed(ref, layer)) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOfSatisfying(DigestMismatchException.class, e -> {
            assertThat(e.expectedSize()).isEqualTo(layer.size());
            assertThat(e.actualSize()).isEqualTo(layer.size() - 100);
          });
    }
  }

  @Test
  void aRegistryThatRefusesAWrongDigestIsTrustedToCheckUploadsAndAskedOnce() {
    assertThat(client.verifiesBlobDigests(ref)).isTrue();
    List<FaultProxy.Seen> probe = List.copyOf(proxy.seen);
    assertThat(probe).extracting(FaultProxy.Seen::method).containsExactly("POST", "PUT", "DELETE");
    String claimed = probe.get(1).path().replaceAll(".*digest=(sha256:[0-9a-f]{64}).*", "$1");
    assertThat(claimed).startsWith("sha256:");
    assertThat(client.headBlob(ref, dev.holdfast.oci.reference.Digest.parse(claimed))).isEmpty();

    proxy.seen.clear();
    ImageReference otherRepository = ImageReference.parse(proxy.hostPort() + "/other/app");
    assertThat(client.verifiesBlobDigests(otherRepository)).isTrue();
    assertThat(proxy.seen).isEmpty(); // one probe per registry
  }

  @Test
  void aRegistryThatStoresAWrongDigestIsNotTrustedAndTheProbeIsDeleted() {
    proxy.acceptWrongDigests = true;
    assertThat(client.verifiesBlobDigests(ref)).isFalse();
    List<FaultProxy.Seen> seen = List.copyOf(proxy.seen);
    assertThat(seen).extracting(FaultProxy.Seen::method).startsWith("POST", "PUT", "DELETE");
    String claimed = seen.get(1).path().replaceAll(".*digest=(sha256:[0-9a-f]{64}).*", "$1");
    // a token registry refuses the DELETE (it needs a delete scope) after one retry with a fresh
    // token; the probe is then left for the registry's garbage collection
    assertThat(seen.subList(2, seen.size())).isNotEmpty().hasSizeLessThanOrEqualTo(2)
        .allMatch(s -> s.method().equals("DELETE") && s.path().endsWith("/blobs/" + claimed));
  }

  @Test
  void aRegistryThatCannotBeAskedIsNotTrustedToCheckUploads() {
    proxy.reject(100, 503, null);
    assertThat(client.verifiesBlobDigests(ref)).isFalse();
    System.out.println("SEEN " + proxy.seen);
    assertThat(proxy.seen).isNotEmpty().allMatch(seen -> seen.method().equals("POST"));
  }

  @Test
  void anOversizedManifestIsRefusedWhileReading() {
    proxy.manifestBody = new byte[Manifest.MAX_SIZE + 1];
    assertThatThrownBy(() -> client.getManifest(ref))
        .isInstanceOf(ManifestTooLargeException.class)
        .hasMessageContaining("larger than " + Manifest.MAX_SIZE + " bytes")
        .hasMessageContaining("pull manifest " + ref);
  }

  @Test
  void anUnreachableRegistryIsUnavailableAfterTheRetries() throws IOException {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    ImageReference nowhere = ImageReference.parse("127.0.0.1:" + port + "/gone/app:v1");
    assertThatThrownBy(() -> client.getManifest(nowhere))
        .isInstanceOfSatisfying(RegistryUnavailableException.class, e -> {
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.statusCode()).isZero();
          assertThat(e.getMessage()).contains("cannot connect").contains("127.0.0.1:" + port);
        });
    assertThat(sleeps).hasSize(3);
  }

  @Test
  void aRegistryWhoseNameDoesNotResolveSaysSo() {
    ImageReference nowhere = ImageReference.parse("registry.holdfast.invalid/app:v1"); // RFC 6761: never resolves
    assertThatThrownBy(() -> client.getManifest(nowhere))
        .isInstanceOfSatisfying(RegistryUnavailableException.class, e -> assertThat(e.getMessage())
            .contains("unknown host (the name does not resolve): registry.holdfast.invalid")
            .contains("[registry registry.holdfast.invalid]"));
  }

  @Test
  void tooManyRequestsWaitsWhatRetryAfterSays() {
    proxy.reject(1, 429, "2");
    Manifest manifest = client.getManifest(ref);
    assertThat(manifest.digest().toString()).isEqualTo(image.digest());
    assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
    assertThat(proxy.seen).filteredOn(s -> s.path().contains("/manifests/")).hasSize(2);
  }

  @Test
  void retryAfterBeyondTheLimitFailsAtOnce() {
    proxy.reject(5, 429, "3600");
    assertThatThrownBy(() -> client.getManifest(ref))
        .isInstanceOfSatisfying(TooManyRequestsException.class, e -> {
          assertThat(e.retryAfter()).contains(Duration.ofHours(1));
          assertThat(e.isRetryable()).isTrue();
        });
    assertThat(sleeps).isEmpty();
  }

  @Test
  void serverErrorsAreRetriedWithBackoffThenReported() {
    proxy.reject(10, 503, null);
    assertThatThrownBy(() -> client.headBlob(ref, layer.digest()))
        .isInstanceOfSatisfying(RegistryUnavailableException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(503);
          assertThat(e.isRetryable()).isTrue();
        });
    assertThat(sleeps).hasSize(3);
    assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(sleeps.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(sleeps.get(2)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(proxy.seen).hasSize(4);

    proxy.reject(2, 502, null);
    assertThat(client.headBlob(ref, layer.digest())).contains(layer.size());
  }

  @Test
  void a401WithACachedTokenGetsOneRetryWithAFreshToken() {
    registry.tokenServer().clearRequests();
    proxy.reject(1, 401, null);
    assertThat(client.getManifest(ref).digest().toString()).isEqualTo(image.digest());
    assertThat(registry.tokenServer().requests()).hasSize(1);
    assertThat(proxy.seen).filteredOn(s -> s.path().contains("/manifests/")).hasSize(2)
        .allSatisfy(s -> assertThat(s.authorization()).isTrue());

    registry.tokenServer().clearRequests();
    proxy.seen.clear();
    proxy.reject(2, 401, null);
    assertThatThrownBy(() -> client.getManifest(ref))
        .isInstanceOfSatisfying(UnauthorizedException.class, e -> assertThat(e.isRetryable()).isFalse());
    assertThat(registry.tokenServer().requests()).hasSize(1);
    assertThat(proxy.seen).filteredOn(s -> s.path().contains("/manifests/")).hasSize(2);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void redirectToAnotherHostCarriesNoAuthorization() throws IOException {
    proxy.redirectBlobsTo = URI.create("http://localhost:" + storage.getAddress().getPort());
    try (InputStream in = client.openBlob(ref, layer)) {
      assertThat(in.readAllBytes()).isEqualTo(image.readBlob(layer.digest().toString()));
    }
    assertThat(proxy.seen).filteredOn(s -> s.path().contains("/blobs/"))
        .singleElement().satisfies(s -> assertThat(s.authorization()).isTrue());
    assertThat(storageSawAuthorization).containsExactly(false);
  }

  @Test
  void theReferrersApiIsUsedWhereTheRegistryHasIt() {
    // its own repository (distribution 2.8 does not insist that the subject exists there)
    ImageReference refs = ImageReference.parse(proxy.hostPort() + "/fault/refs:v1");
    ImageReference subject = refs.withDigest(dev.holdfast.oci.reference.Digest.parse(image.digest())).withoutTag();
    byte[] empty = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Descriptor emptyConfig = Descriptor.of(dev.holdfast.oci.manifest.MediaTypes.OCI_EMPTY,
        dev.holdfast.oci.reference.Digest.sha256(empty), empty.length);
    client.pushBlob(subject, emptyConfig, new java.io.ByteArrayInputStream(empty));
    List<Descriptor> entries = new java.util.ArrayList<>();
    for (String type : List.of("application/vnd.example.sig", "application/spdx+json")) {
      var artifact = dev.holdfast.oci.manifest.ImageManifest.builder(dev.holdfast.oci.manifest.MediaTypes.OCI_MANIFEST)
          .config(emptyConfig).layers(List.of(emptyConfig)).artifactType(type)
          .subject(Descriptor.of(image.mediaType(), subject.digest().orElseThrow(), image.top().size()))
          .build();
      client.putManifest(subject.withDigest(artifact.digest()), artifact);
      entries.add(artifact.descriptor().withArtifactType(type));
    }
    client.putManifest(refs.withTag("sha256-" + subject.digest().orElseThrow().encoded()),
        dev.holdfast.oci.manifest.ImageIndex.of(dev.holdfast.oci.manifest.MediaTypes.OCI_INDEX, entries));
    proxy.referrersApi = true;
    proxy.seen.clear();

    assertThat(client.referrers(subject, Optional.empty()).manifests()).isEqualTo(entries);
    // the registry applies the filter and says so
    proxy.applyReferrersFilter = true;
    assertThat(client.referrers(subject, Optional.of("application/spdx+json")).manifests())
        .containsExactly(entries.get(1));
    // the registry ignores the filter: the client applies it
    proxy.applyReferrersFilter = false;
    assertThat(client.referrers(subject, Optional.of("application/vnd.example.sig")).manifests())
        .containsExactly(entries.get(0));
    assertThat(proxy.seen).extracting(FaultProxy.Seen::path)
        .allMatch(path -> path.contains("/referrers/" + subject.digest().orElseThrow()))
        .hasSize(3);
  }

  @Test
  void pagedTagListsAreFollowed() {
    Manifest manifest = client.getManifest(ref);
    for (String tag : List.of("e", "b", "d", "a", "c")) {
      client.putManifest(ref.withTag(tag), manifest);
    }
    proxy.tagPageSize = 2;
    proxy.seen.clear();
    assertThat(client.listTags(ref)).containsExactly("a", "b", "c", "d", "e", "v1");
    assertThat(proxy.seen).filteredOn(s -> s.path().contains("/tags/list")).extracting(FaultProxy.Seen::path)
        .containsExactly("/v2/fault/app/tags/list", "/v2/fault/app/tags/list?n=2&last=b",
            "/v2/fault/app/tags/list?n=2&last=d");
  }
}
