package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterHoldsTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void aRegistryIsHeldUntilItsWaitIsOverAndNoLonger() {
    RetryAfterHolds holds = RetryAfterHolds.create();
    assertThat(holds.hold("r.example", NOW, Duration.ofSeconds(5))).isEqualTo(NOW.plusSeconds(5));
    assertThat(holds.heldUntil("r.example", NOW)).contains(NOW.plusSeconds(5));
    assertThat(holds.heldUntil("r.example", NOW.plusMillis(4_999))).contains(NOW.plusSeconds(5));
    assertThat(holds.heldUntil("r.example", NOW.plusSeconds(5))).isEmpty();
    assertThat(holds.heldUntil("r.example", NOW)).as("an expired hold is forgotten").isEmpty();
  }

  @Test
  void holdsArePerRegistry() {
    RetryAfterHolds holds = RetryAfterHolds.create();
    holds.hold("a.example", NOW, Duration.ofSeconds(5));
    assertThat(holds.heldUntil("b.example", NOW)).isEmpty();
    assertThat(holds.heldUntil("a.example:5000", NOW)).isEmpty();
  }

  @Test
  void theLongerOfTwoWaitsStays() {
    RetryAfterHolds holds = RetryAfterHolds.create();
    holds.hold("r.example", NOW, Duration.ofSeconds(10));
    assertThat(holds.hold("r.example", NOW.plusSeconds(1), Duration.ofSeconds(2)))
        .as("the end of this wait").isEqualTo(NOW.plusSeconds(3));
    assertThat(holds.heldUntil("r.example", NOW.plusSeconds(4))).contains(NOW.plusSeconds(10));
    holds.hold("r.example", NOW.plusSeconds(5), Duration.ofSeconds(20));
    assertThat(holds.heldUntil("r.example", NOW.plusSeconds(11))).contains(NOW.plusSeconds(25));
  }

  @Test
  void aWaitIsHeldAtMostAnHourAndANegativeOneNotAtAll() {
    RetryAfterHolds holds = RetryAfterHolds.create();
    assertThat(holds.hold("r.example", NOW, Duration.ofDays(365))).isEqualTo(NOW.plus(RetryAfterHolds.MAX_HOLD));
    assertThat(holds.heldUntil("r.example", NOW.plus(RetryAfterHolds.MAX_HOLD))).isEmpty();
    assertThat(holds.hold("s.example", NOW, Duration.ofSeconds(-3))).isEqualTo(NOW);
    assertThat(holds.heldUntil("s.example", NOW)).isEmpty();
  }
}
