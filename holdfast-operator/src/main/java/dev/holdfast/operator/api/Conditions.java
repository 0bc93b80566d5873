package dev.holdfast.operator.api;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Kubernetes conditions, set as the API conventions want: the transition time moves only with the status. */
public final class Conditions {
  private Conditions() {}

  /** The condition of {@code type}, if set. */
  public static Optional<Condition> get(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** Whether the condition of {@code type} is {@code True}. */
  public static boolean isTrue(List<Condition> conditions, String type) {
    return get(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  /**
   * A copy of {@code conditions} with the condition of {@code type} set; its transition time is
   * {@code now} when the status changes, else kept.
   */
  public static List<Condition> set(List<Condition> conditions, String type, boolean status, String reason,
      String message, long observedGeneration, Instant now) {
    String value = status ? "True" : "False";
    List<Condition> result = new ArrayList<>();
    String transition = now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (Condition condition : conditions == null ? List.<Condition>of() : conditions) {
      if (type.equals(condition.getType())) {
        if (value.equals(condition.getStatus()) && condition.getLastTransitionTime() != null) {
          transition = condition.getLastTransitionTime();
        }
      } else {
        result.add(condition);
      }
    }
    result.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
        .withMessage(message == null ? "" : truncate(message, 1024)).withObservedGeneration(observedGeneration)
        .withLastTransitionTime(transition).build());
    return result;
  }

  private static String truncate(String message, int max) {
    return message.length() <= max ? message : message.substring(0, max - 1) + "…";
  }
}
