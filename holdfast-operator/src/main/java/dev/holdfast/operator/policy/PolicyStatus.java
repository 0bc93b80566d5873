package dev.holdfast.operator.policy;

import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.api.ImagePolicyStatus;
import dev.holdfast.operator.copy.CopyStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A policy's status: totals over its ImageCopies, at most {@link ImagePolicyStatus#MAX_FAILING}
 * failing images, and the conditions {@code Valid} (the spec can be used; the message names every
 * wrong field) and {@code CredentialsReady} (its Secrets can be read). Pure.
 */
public final class PolicyStatus {
  private PolicyStatus() {}

  /**
   * The status of {@code policy}.
   *
   * @param problems what is wrong with its spec
   * @param credentialsProblem why its credentials cannot be read, if so
   * @param copies its ImageCopies
   * @param invalidImages images its workloads name that do not parse ({@code ns/Kind/name: ...})
   */
  public static ImagePolicyStatus of(ImagePolicy policy, List<PolicyProblem> problems,
      Optional<String> credentialsProblem, List<ImageCopy> copies, List<String> invalidImages, Instant now) {
    long generation = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
    ImagePolicyStatus status = new ImagePolicyStatus();
    List<Condition> conditions = policy.getStatus() == null ? List.of() : policy.getStatus().getConditions();
    conditions = problems.isEmpty()
        ? Conditions.set(conditions, "Valid", true, "Valid", "", generation, now)
        : Conditions.set(conditions, "Valid", false, "InvalidSpec",
            String.join("; ", problems.stream().map(PolicyProblem::toString).toList()), generation, now);
    conditions = credentialsProblem.isEmpty()
        ? Conditions.set(conditions, "CredentialsReady", true, "Read", "", generation, now)
        : Conditions.set(conditions, "CredentialsReady", false, "InvalidCredentials", credentialsProblem.get(),
            generation, now);
    status.setConditions(conditions);
    status.setObservedGeneration(generation);

    int ready = 0;
    int failed = 0;
    int missing = 0;
    List<ImagePolicyStatus.FailingImage> failing = new ArrayList<>();
    for (ImageCopy copy : copies.stream().sorted(Comparator.comparing(c -> c.getSpec().getSource())).toList()) {
      if (CopyStatus.isReady(copy)) {
        ready++;
        continue;
      }
      Optional<Condition> condition = copy.getStatus() == null ? Optional.empty()
          : Conditions.get(copy.getStatus().getConditions(), CopyStatus.READY);
      String reason = condition.map(Condition::getReason).orElse("Pending");
      if (reason.equals(CopyStatus.COPYING) || reason.equals("Pending")) {
        continue;
      }
      failed++;
      if (reason.equals("NotFound")) {
        missing++;
      }
      if (failing.size() < ImagePolicyStatus.MAX_FAILING) {
        failing.add(new ImagePolicyStatus.FailingImage(copy.getSpec().getSource(), reason,
            condition.map(Condition::getMessage).orElse("")));
      }
    }
    for (String invalid : invalidImages) {
      if (failing.size() < ImagePolicyStatus.MAX_FAILING) {
        failing.add(new ImagePolicyStatus.FailingImage(invalid, "InvalidReference", "not a valid image reference"));
      }
    }
    status.setDesired(copies.size());
    status.setReady(ready);
    status.setFailed(failed + invalidImages.size());
    status.setUpstreamMissing(missing);
    status.setFailing(failing);
    return status;
  }
}
