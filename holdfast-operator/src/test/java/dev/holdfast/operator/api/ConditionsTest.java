package dev.holdfast.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Conditions as the API conventions want them: the transition time moves only with the status. */
class ConditionsTest {
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00.123456Z");
  private static final Instant T1 = Instant.parse("2025-03-01T12:34:56.999Z");

  private static Condition condition(String type, String status, String transition) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason("Before").withMessage("before")
        .withObservedGeneration(1L).withLastTransitionTime(transition).build();
  }

  // --- transition time ---

  @ParameterizedTest(name = "{0} -> {1}: transition {2}")
  @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
      True    | true  | 2025-03-01T10:00:00Z
      False   | false | 2025-03-01T10:00:00Z
      True    | false | 2025-03-01T12:34:56Z
      False   | true  | 2025-03-01T12:34:56Z
      Unknown | true  | 2025-03-01T12:34:56Z
      Unknown | false | 2025-03-01T12:34:56Z
      null    | true  | 2025-03-01T12:34:56Z
      """)
  void theTransitionTimeIsKeptWhileTheStatusStaysAndMovesWhenItChanges(String before, boolean after,
      String transition) {
    List<Condition> conditions = List.of(condition("Ready", before, "2025-03-01T10:00:00Z"));

    List<Condition> set = Conditions.set(conditions, "Ready", after, "Now", "now", 2, T1);

    assertThat(set).singleElement().satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo(after ? "True" : "False");
      assertThat(c.getLastTransitionTime()).isEqualTo(transition);
      assertThat(c.getReason()).isEqualTo("Now");
      assertThat(c.getMessage()).isEqualTo("now");
      assertThat(c.getObservedGeneration()).isEqualTo(2L);
    });
  }

  @Test
  void aNewConditionTransitionsNowTruncatedToSeconds() {
    List<Condition> set = Conditions.set(List.of(), "Valid", true, "Valid", "", 1, T0);

    assertThat(set).singleElement().satisfies(c -> {
      assertThat(c.getType()).isEqualTo("Valid");
      assertThat(c.getLastTransitionTime()).isEqualTo("2025-03-01T10:00:00Z");
    });
  }

  @Test
  void anUnchangedStatusWithoutARecordedTimeGetsOne() {
    List<Condition> set = Conditions.set(List.of(condition("Ready", "True", null)), "Ready", true, "R", "", 1, T1);

    assertThat(set.get(0).getLastTransitionTime()).isEqualTo("2025-03-01T12:34:56Z");
  }

  @Test
  void reasonMessageAndGenerationFollowEvenWhenTheStatusStays() {
    List<Condition> first = Conditions.set(null, "Ready", false, "Copying", "copying nginx", 1, T0);

    List<Condition> second = Conditions.set(first, "Ready", false, "NotFound", "manifest unknown", 2, T1);

    assertThat(second).singleElement().satisfies(c -> {
      assertThat(c.getReason()).isEqualTo("NotFound");
      assertThat(c.getMessage()).isEqualTo("manifest unknown");
      assertThat(c.getObservedGeneration()).isEqualTo(2L);
      assertThat(c.getLastTransitionTime()).isEqualTo("2025-03-01T10:00:00Z");
    });
  }

  // --- other conditions, and the input ---

  @Test
  void otherConditionsAreKeptAndTheInputIsNotChanged() {
    List<Condition> conditions = new ArrayList<>(List.of(condition("Valid", "True", "2025-01-01T00:00:00Z"),
        condition("CredentialsReady", "True", "2025-01-02T00:00:00Z")));
    List<Condition> snapshot = List.copyOf(conditions);

    List<Condition> set = Conditions.set(conditions, "CredentialsReady", false, "InvalidCredentials", "no", 3, T1);

    assertThat(set).extracting(Condition::getType).containsExactlyInAnyOrder("Valid", "CredentialsReady");
    assertThat(Conditions.get(set, "Valid")).contains(snapshot.get(0));
    assertThat(conditions).isEqualTo(snapshot);
    assertThat(snapshot.get(1).getStatus()).isEqualTo("True");
  }

  @Test
  void duplicatesOfTheTypeCollapseIntoOne() {
    List<Condition> conditions = List.of(condition("Ready", "True", "2025-01-01T00:00:00Z"),
        condition("Ready", "True", "2025-01-02T00:00:00Z"));

    List<Condition> set = Conditions.set(conditions, "Ready", true, "Verified", "", 1, T1);

    assertThat(set).hasSize(1);
    assertThat(set.get(0).getLastTransitionTime()).startsWith("2025-01-0");
  }

  @Test
  void nullAndEmptyListsAreNoConditions() {
    assertThat(Conditions.set(null, "Ready", true, "R", "m", 1, T0)).hasSize(1);
    assertThat(Conditions.get(null, "Ready")).isEmpty();
    assertThat(Conditions.get(List.of(), "Ready")).isEmpty();
    assertThat(Conditions.isTrue(null, "Ready")).isFalse();
  }

  // --- messages ---

  @Test
  void aNullMessageIsEmptyAndALongOneIsCutTo1024Characters() {
    String longMessage = "x".repeat(5000);

    assertThat(Conditions.set(null, "Ready", false, "R", null, 1, T0).get(0).getMessage()).isEmpty();
    String cut = Conditions.set(null, "Ready", false, "R", longMessage, 1, T0).get(0).getMessage();
    assertThat(cut).hasSize(1024).endsWith("…").startsWith("xxxx");
    String exact = "y".repeat(1024);
    assertThat(Conditions.set(null, "Ready", false, "R", exact, 1, T0).get(0).getMessage()).isEqualTo(exact);
  }

  // --- get and isTrue ---

  @ParameterizedTest(name = "status {0} -> {1}")
  @CsvSource(value = {"True, true", "False, false", "Unknown, false", "true, false", "null, false"},
      nullValues = "null")
  void isTrueOnlyForTrue(String status, boolean isTrue) {
    List<Condition> conditions = List.of(condition("Other", "True", null), condition("Ready", status, null));

    assertThat(Conditions.isTrue(conditions, "Ready")).isEqualTo(isTrue);
  }

  @Test
  void getFindsByTypeAndIgnoresConditionsWithoutType() {
    List<Condition> conditions = List.of(new Condition(), condition("Ready", "True", null));

    assertThat(Conditions.get(conditions, "Ready")).get().extracting(Condition::getStatus).isEqualTo("True");
    assertThat(Conditions.get(conditions, "Valid")).isEmpty();
  }
}
