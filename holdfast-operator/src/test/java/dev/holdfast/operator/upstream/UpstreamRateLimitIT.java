package dev.holdfast.operator.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.RateLimitingRelay;
import dev.holdfast.oci.testing.RateLimitingRelay.Exchange;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.cluster.ClusterTrust;
import dev.holdfast.operator.copy.RegistryAccess;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.RegistryCredentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25, source 429 storm (operator): the upstream checks of 12 copies, on the monitor's own
 * one-second ticks and the real clock, against a registry behind a {@link RateLimitingRelay} that
 * answers every fourth request 429 with {@code Retry-After: 2} (a check is a {@code /v2/} request and
 * a manifest HEAD, so the 429s fall on HEADs). From the relay's log: no request came
 * before a 429's wait was over; the manifest requests, refused ones included, stayed within the
 * registry's budget (6 in 6 s, a burst of 1) in every window; each copy got exactly one answered
 * check (nothing lost, nothing checked twice), and a 429 was never reported as a verdict.
 */
class UpstreamRateLimitIT {
  @RegisterExtension static final RegistryExtension registry = RegistryExtension.plain();
  @TempDir static Path work;

  static final int COPIES = 12;
  static final int RETRY_AFTER_SECONDS = 2;
  static final Budget BUDGET_SHAPE = new Budget("shape", 6, Duration.ofSeconds(6));

  @Test
  void checksKeepToRetryAfterAndTheBudgetAndEveryCopyIsCheckedOnce() {
    WrittenImage image = SyntheticImage.builder().seed(62).layers(1).layerSize(1_000).platforms("linux/amd64")
        .build().writeTo(work.resolve("layout"), "small");
    Skopeo.create(work.resolve("skopeo")).push(image, registry.image("inventory/app:1"));
    Map<String, UpstreamResult> results = new ConcurrentHashMap<>();
    Map<String, Integer> reported = new ConcurrentHashMap<>();
    Policy policy = Policy.of("inventory", ImagePolicySpec.to(ImagePolicySpec.Destination.of("copies.example.com",
        "")), 1);
    RegistryAccess access = new RegistryAccess(null, List.of(), List.of(), () -> ClusterTrust.NONE, () -> false,
        dev.holdfast.oci.http.Proxies::none);
    try (RateLimitingRelay relay = new RateLimitingRelay(registry.baseUri())) {
      Budget budget = new Budget(relay.hostPort(), BUDGET_SHAPE.requests(), BUDGET_SHAPE.period());
      UpstreamMonitor[] monitor = new UpstreamMonitor[1];
      monitor[0] = new UpstreamMonitor(access, r -> budget, Clock.systemUTC(), new SimpleMeterRegistry(), name -> {
        results.put(name, monitor[0].takeResult(name).orElseThrow());
        reported.merge(name, 1, Integer::sum);
      });
      try {
        ImageReference source = ImageReference.parse(relay.hostPort() + "/inventory/app:1");
        relay.storm(4, RETRY_AFTER_SECONDS, RateLimitingRelay.Form.SECONDS);
        for (int i = 0; i < COPIES; i++) {
          monitor[0].plan(new UpstreamMonitor.Check("copy-" + i, source, policy, RegistryCredentials.NONE, List.of(),
              MirrorRules.empty()), Clock.systemUTC().instant());
        }
        monitor[0].start();
        org.awaitility.Awaitility.await("every copy checked").atMost(Duration.ofMinutes(3))
            .until(() -> results.size() == COPIES);
      } finally {
        monitor[0].close();
        relay.calm();
      }

      List<Exchange> seen = relay.exchanges();
      List<Exchange> heads = seen.stream().filter(Exchange::isManifestRequest).toList();
      int mostInAWindow = mostWithin(heads, budget.period());
      System.out.printf("Upstream checks: %d requests at the registry (%d manifest HEADs), %d answered 429"
          + " (Retry-After %d s); gaps to the next request (ms): %s; most manifest requests in any %d s: %d"
          + " (budget %d + burst %d)%n", seen.size(), heads.size(), relay.rateLimited().size(), RETRY_AFTER_SECONDS,
          relay.gapsAfterRateLimits().stream().map(g -> g.map(d -> Long.toString(d.toMillis())).orElse("-")).toList(),
          budget.period().toSeconds(), mostInAWindow, budget.requests(), budget.burst());

      assertThat(relay.rateLimited()).as("the storm happened").isNotEmpty();
      assertThat(relay.rateLimited()).as("some checks were refused").anyMatch(Exchange::isManifestRequest);
      assertThat(relay.earlyRequests()).as("requests sent before a Retry-After was over").isEmpty();
      assertThat(heads).allMatch(e -> e.method().equals("HEAD"));
      assertThat(mostInAWindow).as("manifest requests in any %s", budget.period())
          .isLessThanOrEqualTo(budget.requests() + budget.burst());
      // nothing lost, nothing twice, no 429 taken for a verdict
      assertThat(results).hasSize(COPIES);
      assertThat(results.values()).allMatch(r -> r.state().equals(UpstreamResult.AVAILABLE));
      assertThat(reported.values()).allMatch(n -> n == 1);
      assertThat(heads.stream().filter(e -> e.status() == 200).count()).isEqualTo(COPIES);
    }
  }

  /** The most requests that arrived within any span of {@code period} (both ends included). */
  static int mostWithin(List<Exchange> requests, Duration period) {
    int most = 0;
    for (int i = 0, j = 0; i < requests.size(); i++) {
      while (requests.get(i).arrivedNanos() - requests.get(j).arrivedNanos() > period.toNanos()) {
        j++;
      }
      most = Math.max(most, i - j + 1);
    }
    return most;
  }
}
