package dev.holdfast.operator.policy;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which policy covers an object, from its namespace and its own labels.
 *
 * <p>Never: the operator's own namespace, a namespace or object labelled {@code
 * holdfast.dev/skip=true}. Otherwise the ImagePolicies are tried in name order, then the policy of
 * the operator's flags; the first whose namespace selector matches and that does not exclude the
 * namespace covers the object.
 */
public final class PolicySelection {
  /** The opt-out label, on namespaces and on objects. */
  public static final String SKIP_LABEL = "holdfast.dev/skip";

  private PolicySelection() {}

  /** A namespace as the selection sees it. */
  public record Namespace(String name, Map<String, String> labels) {
    public Namespace {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
  }

  /** The outcome. */
  public sealed interface Selection {
    /** The policy covers the object. */
    record Covered(Policy policy) implements Selection {}

    /** No policy covers it, and why. */
    record NotCovered(String reason) implements Selection {}
  }

  /**
   * Selects the policy for an object.
   *
   * @param policies every valid policy in force, in any order
   * @param namespace the object's namespace
   * @param objectLabels the object's labels
   * @param operatorNamespace the operator's own namespace, never touched
   */
  public static Selection select(List<Policy> policies, Namespace namespace, Map<String, String> objectLabels,
      String operatorNamespace) {
    if (namespace.name().equals(operatorNamespace)) {
      return new Selection.NotCovered("namespace " + namespace.name() + " is the operator's own");
    }
    if (optedOut(namespace.labels())) {
      return new Selection.NotCovered("namespace " + namespace.name() + " is labelled " + SKIP_LABEL + "=true");
    }
    if (optedOut(objectLabels)) {
      return new Selection.NotCovered("labelled " + SKIP_LABEL + "=true");
    }
    Optional<Policy> covering = policies.stream()
        .sorted(Comparator.comparing(Policy::isImplicit).thenComparing(Policy::name))
        .filter(p -> !p.spec().excludeNamespaces().contains(namespace.name()))
        .filter(p -> LabelSelectors.matches(p.spec().namespaceSelector(), namespace.labels()))
        .findFirst();
    return covering.<Selection>map(Selection.Covered::new)
        .orElseGet(() -> new Selection.NotCovered("no policy covers namespace " + namespace.name()));
  }

  /** Whether labels carry {@code holdfast.dev/skip=true}. */
  public static boolean optedOut(Map<String, String> labels) {
    return labels != null && "true".equalsIgnoreCase(labels.get(SKIP_LABEL));
  }
}
