package dev.holdfast.operator.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link CheckSchedule#hold}: a registry that answered 429 gets no check before its wait is over. */
class CheckScheduleHoldTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  // one check a second, a burst of 1
  private final CheckSchedule schedule = new CheckSchedule(r -> new Budget(r, 1, Duration.ofSeconds(1)));

  @Test
  void aHeldRegistryGetsNothingUntilTheWaitIsOverThenOneCheckAtTheBudgetsRate() {
    for (int i = 0; i < 3; i++) {
      schedule.plan("a-" + i, "a.example", T0);
    }
    schedule.plan("b-0", "b.example", T0);
    assertThat(schedule.takeDue(T0)).containsExactlyInAnyOrder("a-0", "b-0");

    schedule.hold("a.example", T0.plusSeconds(10), T0);
    assertThat(schedule.takeDue(T0.plusSeconds(5))).as("held, though tokens would have refilled").isEmpty();
    assertThat(schedule.nextDue()).contains(T0.plusSeconds(10));
    assertThat(schedule.takeDue(T0.plusSeconds(10))).hasSize(1);
    assertThat(schedule.takeDue(T0.plusMillis(10_500))).as("then at the budget's rate").isEmpty();
    assertThat(schedule.takeDue(T0.plusSeconds(11))).hasSize(1);
  }

  @Test
  void otherRegistriesAreNotHeldAndAShorterHoldDoesNotShortenALongerOne() {
    schedule.hold("a.example", T0.plusSeconds(30), T0);
    schedule.hold("a.example", T0.plusSeconds(5), T0);
    schedule.plan("a-0", "a.example", T0);
    schedule.plan("b-0", "b.example", T0);
    assertThat(schedule.takeDue(T0)).containsExactly("b-0");
    assertThat(schedule.takeDue(T0.plusSeconds(6))).isEmpty();
    assertThat(schedule.takeDue(T0.plusSeconds(30))).containsExactly("a-0");
  }
}
