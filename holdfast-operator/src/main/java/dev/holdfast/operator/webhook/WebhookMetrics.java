package dev.holdfast.operator.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The webhook's metrics: reviews by outcome, images rewritten, and the time each answer took. */
public final class WebhookMetrics {
  private final Counter patched;
  private final Counter unchanged;
  private final Counter invalid;
  private final Counter images;
  private final Timer latency;

  public WebhookMetrics(MeterRegistry registry) {
    patched = Counter.builder("holdfast.webhook.reviews").tag("outcome", "patched").register(registry);
    unchanged = Counter.builder("holdfast.webhook.reviews").tag("outcome", "unchanged").register(registry);
    invalid = Counter.builder("holdfast.webhook.reviews").tag("outcome", "invalid").register(registry);
    images = Counter.builder("holdfast.webhook.images.rewritten").register(registry);
    latency = Timer.builder("holdfast.webhook.duration").description("From a review's arrival to its answer")
        .publishPercentiles(0.5, 0.99).register(registry);
  }

  void answered(PodMutation.Outcome outcome) {
    if (outcome instanceof PodMutation.Outcome.Patched p) {
      patched.increment();
      images.increment(p.changes().size());
    } else {
      unchanged.increment();
    }
  }

  void invalid() {
    invalid.increment();
  }

  Timer latency() {
    return latency;
  }
}
