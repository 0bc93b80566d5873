package dev.holdfast.operator.policy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/** Kubernetes label selector semantics: every matchLabels entry and every expression must hold. */
public final class LabelSelectors {
  private LabelSelectors() {}

  /** Whether {@code labels} satisfy {@code selector}; a null or empty selector selects everything. */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    Map<String, String> actual = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> entry : selector.getMatchLabels().entrySet()) {
        if (entry.getKey() == null || entry.getValue() == null
            || !entry.getValue().equals(actual.get(entry.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
        if (!holds(requirement, actual)) {
          return false;
        }
      }
    }
    return true;
  }

  // A requirement without key or operator (the CRD requires neither) holds for no labels; a null
  // key must not reach the map, which may be immutable and throw.
  private static boolean holds(LabelSelectorRequirement requirement, Map<String, String> labels) {
    if (requirement.getKey() == null || requirement.getOperator() == null) {
      return false;
    }
    String value = labels.get(requirement.getKey());
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> false;
    };
  }
}
