package dev.holdfast.operator.policy;

import java.util.List;

/** A policy that cannot be used; the message names the policy and every field that is wrong. */
public final class InvalidPolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient List<PolicyProblem> problems;

  public InvalidPolicyException(String policy, List<PolicyProblem> problems) {
    super("ImagePolicy " + policy + " is invalid: "
        + String.join("; ", problems.stream().map(PolicyProblem::toString).toList()));
    this.problems = List.copyOf(problems);
  }

  /** The problems, one per field. */
  public List<PolicyProblem> problems() {
    return problems;
  }
}
