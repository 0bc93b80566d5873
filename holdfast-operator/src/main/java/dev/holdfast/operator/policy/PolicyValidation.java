package dev.holdfast.operator.policy;

import dev.holdfast.oci.copy.DestinationNaming;
import dev.holdfast.oci.mirror.MirrorConfigException;
import dev.holdfast.oci.mirror.MirrorConfigLoader;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.ImagePolicySpec.Destination;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks what the CRD's schema cannot: that the destination is a registry reference the naming
 * scheme can use, that the patterns and selectors are well formed and the redirects parse. Every
 * problem names its field.
 */
public final class PolicyValidation {
  private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  /** The longest policy name: a label value holds 63 characters. */
  public static final int MAX_NAME = 48;

  private PolicyValidation() {}

  /** Every problem of {@code spec}; empty when it can be used. */
  public static List<PolicyProblem> problems(String name, ImagePolicySpec spec) {
    List<PolicyProblem> problems = new ArrayList<>();
    if (name != null && name.length() > MAX_NAME) {
      problems.add(new PolicyProblem("metadata.name", "has " + name.length() + " characters; at most " + MAX_NAME
          + ", since it names pull secrets (holdfast-pull-NAME) and labels ImageCopies"));
    }
    problems.addAll(problems(spec));
    return problems;
  }

  /** Every problem of {@code spec}; empty when it can be used. */
  public static List<PolicyProblem> problems(ImagePolicySpec spec) {
    List<PolicyProblem> problems = new ArrayList<>();
    if (spec == null) { // the CRD does not require spec
      problems.add(new PolicyProblem("spec", "is required"));
      return problems;
    }
    Destination destination = spec.destination();
    if (destination == null || destination.registry() == null || destination.registry().isBlank()) {
      problems.add(new PolicyProblem("spec.destination.registry", "is required"));
    } else if (destination.registry().contains("/") || destination.registry().startsWith("oci:")) {
      // Images are compared with the registry as spelt, and it keys the pull secrets: a scheme or a
      // path here would hide every copy from Policy.isUnderDestination, and copies be copied again.
      problems.add(new PolicyProblem("spec.destination.registry", "\"" + destination.registry()
          + "\" is not host[:port]: no scheme and no path (a path goes in spec.destination.repository)"));
    } else if (destination.repository().endsWith("/")) {
      problems.add(new PolicyProblem("spec.destination.repository", "\"" + destination.repository()
          + "\" must not end with /"));
    } else {
      String target = destination.repository().isEmpty() ? destination.registry()
          : destination.registry() + "/" + destination.repository();
      try {
        DestinationNaming.of(target,
            DestinationNaming.Scheme.parse(destination.naming().name().toLowerCase(Locale.ROOT)), "_");
      } catch (IllegalArgumentException e) {
        String field = e.getMessage() != null && e.getMessage().contains("flatten")
            ? "spec.destination.repository" : "spec.destination";
        problems.add(new PolicyProblem(field, e.getMessage()));
      }
    }
    if (spec.rewrite() == ImagePolicySpec.RewriteMode.NodeMirror && spec.destination() != null
        && spec.destination().naming() == ImagePolicySpec.Naming.Flatten) {
      problems.add(new PolicyProblem("spec.destination.naming", "NodeMirror needs Keep naming: the nodes' runtimes"
          + " (containerd) mirror a source by path prefix, and Flatten renames repositories"));
    }
    duration(problems, "spec.retention", spec.retention());
    duration(problems, "spec.upstream.interval", spec.upstream().interval());
    for (int i = 0; i < spec.upstream().budgets().size(); i++) {
      var budget = spec.upstream().budgets().get(i);
      duration(problems, "spec.upstream.budgets[" + i + "].period", budget.period());
      if (budget.requests() == null || budget.requests() < 1) {
        problems.add(new PolicyProblem("spec.upstream.budgets[" + i + "].requests", "must be at least 1"));
      }
    }
    patterns(problems, "spec.includeImages", spec.includeImages());
    patterns(problems, "spec.excludeImages", spec.excludeImages());
    selector(problems, spec.namespaceSelector());
    for (int i = 0; i < spec.redirects().size(); i++) {
      ImagePolicySpec.Redirect redirect = spec.redirects().get(i);
      String text = "redirects:\n- src: '" + nullToEmpty(redirect.src()).replace("'", "''") + "'\n  to: '"
          + nullToEmpty(redirect.to()).replace("'", "''") + "'\n";
      try {
        MirrorConfigLoader.loadTexts(List.of(new MirrorConfigLoader.Text("redirect", text)));
      } catch (MirrorConfigException | IllegalArgumentException e) {
        problems.add(new PolicyProblem("spec.redirects[" + i + "]", reason(e.getMessage())));
      }
    }
    return problems;
  }

  private static void duration(List<PolicyProblem> problems, String field, String text) {
    try {
      dev.holdfast.operator.api.Durations.parse(text, field);
    } catch (IllegalArgumentException e) {
      problems.add(new PolicyProblem(field, e.getMessage().substring(field.length() + 2)));
    }
  }

  private static void patterns(List<PolicyProblem> problems, String field, List<String> patterns) {
    for (int i = 0; i < patterns.size(); i++) {
      String pattern = patterns.get(i);
      if (pattern == null || pattern.isBlank()) {
        problems.add(new PolicyProblem(field + "[" + i + "]", "is empty"));
      } else if (pattern.chars().anyMatch(Character::isWhitespace)) {
        problems.add(new PolicyProblem(field + "[" + i + "]", "\"" + pattern + "\" contains white space"));
      }
    }
  }

  private static void selector(List<PolicyProblem> problems, LabelSelector selector) {
    if (selector == null || selector.getMatchExpressions() == null) {
      return;
    }
    for (int i = 0; i < selector.getMatchExpressions().size(); i++) {
      var expression = selector.getMatchExpressions().get(i);
      String field = "spec.namespaceSelector.matchExpressions[" + i + "]";
      if (expression.getKey() == null || expression.getKey().isBlank()) { // the CRD does not require it
        problems.add(new PolicyProblem(field + ".key", "is required"));
      }
      boolean known = expression.getOperator() != null && OPERATORS.contains(expression.getOperator());
      if (!known) {
        problems.add(new PolicyProblem(field + ".operator", "\"" + expression.getOperator()
            + "\" is not one of In, NotIn, Exists, DoesNotExist"));
      }
      boolean needsValues = "In".equals(expression.getOperator()) || "NotIn".equals(expression.getOperator());
      boolean hasValues = expression.getValues() != null && !expression.getValues().isEmpty();
      if (needsValues && !hasValues) {
        problems.add(new PolicyProblem(field + ".values", "must not be empty for " + expression.getOperator()));
      } else if (!needsValues && hasValues && known) {
        problems.add(new PolicyProblem(field + ".values", "must be empty for " + expression.getOperator()));
      }
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  // "redirect: redirects[0] (src "x"): src: 'x' is not ..." -> the part after the location
  private static String reason(String message) {
    int colon = message == null ? -1 : message.lastIndexOf("): ");
    return colon < 0 ? String.valueOf(message) : message.substring(colon + 3);
  }
}
