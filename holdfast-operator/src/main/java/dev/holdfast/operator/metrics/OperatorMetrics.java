package dev.holdfast.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Holdfast's own metrics (JOSDK adds its reconcile metrics beside them): images by state, copy
 * duration and outcome, bytes copied. Labels hold states, outcomes and registry names, never an
 * image reference (unbounded) or a credential.
 */
public final class OperatorMetrics {
  private final MeterRegistry registry;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The registry the metrics live in. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Registers the gauge {@code holdfast_images{state}}, read from {@code counts} when scraped. */
  public void imagesByState(Supplier<Map<String, Long>> counts) {
    for (String state : new String[] {"ready", "copying", "failed", "pending"}) {
      Gauge.builder("holdfast.images", counts, c -> c.get().getOrDefault(state, 0L))
          .description("ImageCopies by state").tag("state", state).strongReference(true).register(registry);
    }
  }

  /** Registers the gauge {@code holdfast_upstream_images{state}}: ImageCopies by their last upstream check. */
  public void imagesByUpstreamState(Supplier<Map<String, Long>> counts) {
    for (String state : new String[] {"Available", "NotFound", "Unauthorized", "Unreachable", "TagMoved",
        "Unchecked"}) {
      Gauge.builder("holdfast.upstream.images", counts, c -> c.get().getOrDefault(state, 0L))
          .description("ImageCopies by upstream state").tag("state", state).strongReference(true).register(registry);
    }
  }

  /** Records a finished copy job: its duration by outcome, and the bytes it moved. */
  public void copied(String outcome, String destinationRegistry, Duration elapsed, long bytes) {
    Timer.builder("holdfast.copy.duration").description("Copy jobs, copy and verification")
        .tag("outcome", outcome).register(registry).record(elapsed);
    Counter.builder("holdfast.copy.bytes").description("Bytes copied into the destination").baseUnit("bytes")
        .tag("registry", destinationRegistry).register(registry).increment(bytes);
  }

  /** Counts a registry's answer to a copy job, by reason ({@code NotFound}, {@code Verified}, ...). */
  public void registryOutcome(String registry, String reason) {
    Counter.builder("holdfast.registry.outcomes").description("Copy job outcomes by registry and reason")
        .tag("registry", registry).tag("reason", reason).register(this.registry).increment();
  }
}
