package dev.holdfast.operator.policy;

/** What is wrong with one field of a policy: {@code spec.destination.registry: is required}. */
public record PolicyProblem(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
