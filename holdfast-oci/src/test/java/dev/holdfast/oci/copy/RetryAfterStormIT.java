package dev.holdfast.oci.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.registry.RetryPolicy;
import dev.holdfast.oci.testing.RateLimitingRelay;
import dev.holdfast.oci.testing.RateLimitingRelay.Exchange;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryRequest;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 25, source 429 storm (library): a real registry behind a {@link RateLimitingRelay} answers
 * every eighth request {@code 429} with {@code Retry-After}, in each of its two forms, while the copy
 * engine copies a dozen images from it on several threads. From the relay's own log: no request
 * reached the registry before the wait of a 429 it had answered was over (the client holds the
 * whole registry, not just the call that was refused). Nothing was lost (every image copied, same
 * digests for skopeo) and nothing duplicated (each blob read once from the source, uploaded once,
 * each manifest put once).
 *
 * <p>The client sends one request at a time to each registry ({@code concurrencyPerRegistry(1)}):
 * the engine's threads still compete for the registry, so a client that kept only the refused call
 * waiting would send another thread's request at once; with one request in flight, "before the
 * wait was over" is exact, with no allowance for requests already on the wire.
 */
class RetryAfterStormIT {
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.plain();
  @TempDir static Path work;

  static final int IMAGES = 12;
  static final int RETRY_AFTER_SECONDS = 1;
  static Skopeo skopeo;
  static RateLimitingRelay relay;
  static final List<WrittenImage> images = new ArrayList<>();

  @BeforeAll
  static void seed() {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    for (int i = 0; i < IMAGES; i++) {
      WrittenImage image = SyntheticImage.builder().seed(2500 + i).layers(3).layerSize(2_000)
          .platforms("linux/amd64").build().writeTo(work.resolve("layout"), "storm-" + i);
      skopeo.push(image, source.image("storm/app-" + i + ":1"));
      images.add(image);
    }
    relay = new RateLimitingRelay(source.baseUri());
  }

  @AfterAll
  static void close() {
    relay.close();
  }

  @ParameterizedTest(name = "Retry-After as {0}")
  @EnumSource(RateLimitingRelay.Form.class)
  void everyRetryAfterIsKeptByTheWholeClientAndNothingIsCopiedTwice(RateLimitingRelay.Form form) {
    relay.clear();
    destination.clearRequests();
    String prefix = "storm-" + form.name().toLowerCase();
    relay.storm(8, RETRY_AFTER_SECONDS, form);
    List<CopyRequest> requests = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      requests.add(CopyRequest.of(
          new ImageLocation.Registry(ImageReference.parse(relay.hostPort() + "/storm/app-" + i + ":1")),
          new ImageLocation.Registry(ImageReference.parse(destination.hostPort() + "/" + prefix + "/app-" + i + ":1")),
          CopyOptions.defaults()));
    }
    List<CopyResult> results;
    // enough attempts that a call refused several times still gets through; the waits are real
    try (RegistryClient client = RegistryClient.builder().concurrencyPerRegistry(1)
            .retryPolicy(new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(30)))
            .build();
        CopyEngine engine = CopyEngine.builder(client).build()) {
      results = engine.copyAll(requests);
    } finally {
      relay.calm();
    }

    List<Exchange> seen = relay.exchanges();
    List<Exchange> limited = relay.rateLimited();
    System.out.printf("Retry-After %s: %d requests at the source, %d answered 429 (Retry-After %d s);"
        + " gaps to the next request (ms): %s%n", form, seen.size(), limited.size(), RETRY_AFTER_SECONDS,
        relay.gapsAfterRateLimits().stream().map(g -> g.map(d -> Long.toString(d.toMillis())).orElse("-")).toList());
    assertThat(limited).as("the storm happened").hasSizeGreaterThanOrEqualTo(seen.size() / 8 - 1);
    assertThat(relay.earlyRequests()).as("requests sent before a Retry-After was over").isEmpty();

    // nothing lost
    assertThat(results).allSatisfy(r -> assertThat(r).as("%s", r).isInstanceOf(CopyResult.Copied.class));
    for (int i = 0; i < IMAGES; i++) {
      assertThat(skopeo.digestOf(destination.image(prefix + "/app-" + i + ":1"))).isEqualTo(images.get(i).digest());
    }
    // nothing duplicated: each blob read from the source once, uploaded once; each manifest put once
    Map<String, Long> blobReads = seen.stream().filter(e -> e.status() == 200 && e.method().equals("GET")
            && e.path().contains("/blobs/sha256:"))
        .collect(Collectors.groupingBy(e -> e.path().substring(e.path().lastIndexOf('/') + 1), Collectors.counting()));
    long distinctBlobs = images.stream().flatMap(image -> image.blobs().stream()).map(b -> b.digest()).distinct().count();
    assertThat(blobReads).hasSize((int) distinctBlobs).allSatisfy((digest, reads) -> assertThat(reads)
        .as("reads of %s", digest).isEqualTo(1));
    List<RegistryRequest> written = destination.requests();
    Map<String, Long> manifestPuts = written.stream().filter(RegistryRequest::isManifestPut)
        .collect(Collectors.groupingBy(RegistryRequest::path, Collectors.counting()));
    assertThat(manifestPuts).hasSize(IMAGES).allSatisfy((path, puts) -> assertThat(puts).as(path).isEqualTo(1));
    Map<String, Long> uploads = written.stream().filter(r -> r.method().equals("PUT") && r.isBlobUpload()
            && r.status() == 201)
        .collect(Collectors.groupingBy(r -> r.path().replaceAll(".*[?&]digest=([^&]+).*", "$1"),
            Collectors.counting()));
    assertThat(uploads).hasSize((int) distinctBlobs).allSatisfy((digest, puts) -> assertThat(puts)
        .as("uploads of %s", digest).isEqualTo(1));
  }
}
