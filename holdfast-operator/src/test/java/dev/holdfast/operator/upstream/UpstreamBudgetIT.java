package dev.holdfast.operator.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.MutableClock;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryRequest;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * 2,000 copies checked upstream over a simulated six hours against a real registry held to Docker
 * Hub's default budget: every image is checked, no hour gets more than the budget, and every check is
 * one manifest HEAD.
 */
class UpstreamBudgetIT {
  @RegisterExtension static final RegistryExtension registry = RegistryExtension.plain();
  @TempDir static Path work;

  @Test
  void twoThousandCopiesAreAllCheckedWithinTheBudgetInHeadRequestsOnly() {
    WrittenImage image = SyntheticImage.builder().seed(61).layers(1).layerSize(1_000).platforms("linux/amd64")
        .build().writeTo(work.resolve("layout"), "small");
    Skopeo.create(work.resolve("skopeo")).push(image, registry.image("inventory/app:1"));
    registry.clearRequests();

    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    Map<String, Instant> checkedAt = new ConcurrentHashMap<>();
    List<String> states = Collections.synchronizedList(new ArrayList<>());
    Policy policy = Policy.of("inventory", ImagePolicySpec.to(ImagePolicySpec.Destination.of("copies.example.com",
        "")), 1);
    RegistryAccess access = new RegistryAccess(null, List.of(), List.of(), () -> ClusterTrust.NONE, () -> false,
        dev.holdfast.oci.http.Proxies::none);
    UpstreamMonitor[] monitor = new UpstreamMonitor[1];
    monitor[0] = new UpstreamMonitor(access, r -> new Budget(r, Budget.DOCKER_HUB.requests(),
        Budget.DOCKER_HUB.period()), clock, new SimpleMeterRegistry(), name -> {
          UpstreamResult result = monitor[0].takeResult(name).orElseThrow();
          checkedAt.put(name, result.at());
          states.add(result.state());
        });
    ImageReference source = ImageReference.parse(registry.hostPort() + "/inventory/app:1");
    int copies = 2_000;
    for (int i = 0; i < copies; i++) {
      monitor[0].plan(new UpstreamMonitor.Check("copy-" + i, source, policy, RegistryCredentials.NONE, List.of(),
          MirrorRules.empty()), clock.instant());
    }
    for (int second = 0; second < Duration.ofHours(6).toSeconds(); second++) {
      monitor[0].tick();
      clock.advance(Duration.ofSeconds(1));
    }
    org.awaitility.Awaitility.await("every dispatched check finished").atMost(Duration.ofMinutes(2))
        .until(() -> checkedAt.size() == copies);

    assertThat(states).hasSize(copies).allMatch(UpstreamResult.AVAILABLE::equals);
    Map<Long, Integer> perHour = new TreeMap<>();
    checkedAt.values().forEach(at -> perHour.merge(Duration.between(Instant.parse("2026-12-01T00:00:00Z"), at)
        .toHours(), 1, Integer::sum));
    assertThat(perHour.values()).allMatch(n -> n <= Budget.DOCKER_HUB.requests() + Budget.DOCKER_HUB.burst());
    // sliding windows of an hour, by the second: never more than the budget plus its burst
    List<Instant> times = checkedAt.values().stream().sorted().toList();
    for (int i = 0, j = 0; i < times.size(); i++) {
      while (times.get(j).plus(Duration.ofHours(1)).isBefore(times.get(i)) || times.get(j).plus(Duration.ofHours(1))
          .equals(times.get(i))) {
        j++;
      }
      assertThat(i - j + 1).isLessThanOrEqualTo(Budget.DOCKER_HUB.requests() + Budget.DOCKER_HUB.burst());
    }
    org.awaitility.Awaitility.await("the registry logged every request").atMost(Duration.ofSeconds(30))
        .until(() -> registry.requests().stream().filter(r -> r.path().contains("/manifests/")).count() == copies);
    List<RegistryRequest> manifestRequests = registry.requests().stream()
        .filter(r -> r.path().contains("/manifests/")).toList();
    assertThat(manifestRequests).allMatch(r -> r.method().equals("HEAD"));
  }
}
