package dev.holdfast.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImageCopySpec;
import dev.holdfast.operator.api.ImageCopyStatus;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.ImagePolicySpec.Destination;
import dev.holdfast.operator.api.ImagePolicyStatus;
import dev.holdfast.operator.api.ImagePolicyStatus.FailingImage;
import dev.holdfast.operator.copy.CopyStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A policy's status: totals over its ImageCopies, a bounded list of failing images, and two conditions. */
class PolicyStatusTest {
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
  private static final Instant T1 = Instant.parse("2025-03-01T11:30:00.750Z");

  private static ImagePolicy imagePolicy(Long generation) {
    ImagePolicy policy = ImagePolicy.of("team-a", ImagePolicySpec.to(Destination.of("copies.example.com", "")));
    policy.getMetadata().setGeneration(generation);
    return policy;
  }

  /** An ImageCopy whose Ready condition has this status and reason; null reason: no condition; null copy: none. */
  private static ImageCopy copy(String source, Boolean ready, String reason, String message, String copy) {
    ImageCopy imageCopy = ImageCopy.of("c-" + Math.abs(source.hashCode()), new ImageCopySpec(source, "team-a",
        List.of()));
    ImageCopyStatus status = new ImageCopyStatus();
    status.setCopy(copy);
    if (reason != null) {
      status.setConditions(Conditions.set(List.of(), CopyStatus.READY, ready, reason, message, 1, T0));
    }
    imageCopy.setStatus(status);
    return imageCopy;
  }

  private static ImageCopy ready(String source) {
    return copy(source, true, "Verified", "", "copies.example.com/" + source + "@sha256:" + "a".repeat(64));
  }

  private static ImageCopy failed(String source, String reason) {
    return copy(source, false, reason, reason + " for " + source, null);
  }

  private static ImagePolicyStatus status(List<ImageCopy> copies, List<String> invalid) {
    return PolicyStatus.of(imagePolicy(4L), List.of(), Optional.empty(), copies, invalid, T1);
  }

  // --- totals ---

  @Test
  void totalsCountReadyFailedMissingAndLeaveOutPendingAndCopying() {
    ImageCopy pending = ImageCopy.of("pending", new ImageCopySpec("docker.io/library/p:1", "team-a", List.of()));
    List<ImageCopy> copies = List.of(
        ready("docker.io/library/a:1"),
        ready("docker.io/library/b:1"),
        copy("docker.io/library/c:1", false, CopyStatus.COPYING, "copying", null),
        pending,
        copy("docker.io/library/q:1", false, "Pending", "", null),
        failed("docker.io/library/d:1", "NotFound"),
        failed("docker.io/library/e:1", "Unauthorized"),
        failed("docker.io/library/f:1", "NotFound"));

    ImagePolicyStatus status = status(copies, List.of());

    assertThat(status.getDesired()).isEqualTo(8);
    assertThat(status.getReady()).isEqualTo(2);
    assertThat(status.getFailed()).isEqualTo(3);
    assertThat(status.getUpstreamMissing()).isEqualTo(2);
    assertThat(status.getFailing()).extracting(FailingImage::source)
        .containsExactly("docker.io/library/d:1", "docker.io/library/e:1", "docker.io/library/f:1");
    assertThat(status.getFailing().get(1)).isEqualTo(new FailingImage("docker.io/library/e:1", "Unauthorized",
        "Unauthorized for docker.io/library/e:1"));
  }

  @Test
  void aCopyWhoseRefreshFailedStillCountsAsReady() {
    // Ready=True with a recorded copy, even if later attempts failed: the copy still serves.
    ImageCopy refreshed = ready("docker.io/library/a:1");
    refreshed.getStatus().setFailures(3);

    ImagePolicyStatus status = status(List.of(refreshed), List.of());

    assertThat(status.getReady()).isEqualTo(1);
    assertThat(status.getFailed()).isZero();
    assertThat(status.getFailing()).isEmpty();
  }

  @Test
  void readyTrueWithoutARecordedCopyIsNotReady() {
    ImageCopy odd = copy("docker.io/library/a:1", true, "Verified", "", null);

    ImagePolicyStatus status = status(List.of(odd), List.of());

    assertThat(status.getReady()).isZero();
  }

  @Test
  void noCopiesAndNoInvalidImagesGiveZeroTotals() {
    ImagePolicyStatus status = status(List.of(), List.of());

    assertThat(List.of(status.getDesired(), status.getReady(), status.getFailed(), status.getUpstreamMissing()))
        .containsOnly(0);
    assertThat(status.getFailing()).isEmpty();
    assertThat(status.getObservedGeneration()).isEqualTo(4L);
  }

  // --- failing images: sorted, invalid references after copies, at most MAX_FAILING ---

  @Test
  void failingImagesAreSortedBySourceAndInvalidReferencesFollow() {
    List<ImageCopy> copies = List.of(failed("ghcr.io/z/z:1", "CopyFailed"), failed("docker.io/library/a:1",
        "Unreachable"));

    ImagePolicyStatus status = status(copies, List.of("shop/Deployment/web: containers/web: \"NGINX\": bad"));

    assertThat(status.getFailing()).extracting(FailingImage::source).containsExactly("docker.io/library/a:1",
        "ghcr.io/z/z:1", "shop/Deployment/web: containers/web: \"NGINX\": bad");
    assertThat(status.getFailing().get(2).reason()).isEqualTo("InvalidReference");
    assertThat(status.getFailed()).isEqualTo(3);
    assertThat(status.getDesired()).as("invalid references are not copies").isEqualTo(2);
  }

  @Test
  void theFailingListIsBoundedButTheTotalsAreNot() {
    List<ImageCopy> copies = IntStream.range(0, ImagePolicyStatus.MAX_FAILING + 5)
        .mapToObj(i -> failed("docker.io/library/img%02d:1".formatted(i), "NotFound")).toList();
    List<String> invalid = List.of("ns/Pod/a: x", "ns/Pod/b: y");

    ImagePolicyStatus status = status(copies, invalid);

    assertThat(status.getFailing()).hasSize(ImagePolicyStatus.MAX_FAILING);
    assertThat(status.getFailing().get(0).source()).isEqualTo("docker.io/library/img00:1");
    assertThat(status.getFailed()).isEqualTo(ImagePolicyStatus.MAX_FAILING + 5 + 2);
    assertThat(status.getUpstreamMissing()).isEqualTo(ImagePolicyStatus.MAX_FAILING + 5);
  }

  @Test
  void invalidReferencesAloneFillTheListUpToItsBound() {
    List<String> invalid = IntStream.range(0, ImagePolicyStatus.MAX_FAILING + 3).mapToObj(i -> "ns/Pod/p" + i + ": x")
        .toList();

    ImagePolicyStatus status = status(List.of(), invalid);

    assertThat(status.getFailing()).hasSize(ImagePolicyStatus.MAX_FAILING).allSatisfy(f -> assertThat(f.reason())
        .isEqualTo("InvalidReference"));
    assertThat(status.getFailed()).isEqualTo(ImagePolicyStatus.MAX_FAILING + 3);
  }

  // --- conditions ---

  @Test
  void aValidPolicyWithReadableCredentialsHasBothConditionsTrue() {
    ImagePolicyStatus status = status(List.of(), List.of());

    assertThat(Conditions.get(status.getConditions(), "Valid")).get().satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getObservedGeneration()).isEqualTo(4L);
      assertThat(c.getLastTransitionTime()).isEqualTo("2025-03-01T11:30:00Z");
    });
    assertThat(Conditions.isTrue(status.getConditions(), "CredentialsReady")).isTrue();
  }

  @Test
  void problemsAndCredentialsProblemsAreNamedInTheConditions() {
    List<PolicyProblem> problems = List.of(new PolicyProblem("spec.destination.registry", "is required"),
        new PolicyProblem("spec.includeImages[0]", "is empty"));

    ImagePolicyStatus status = PolicyStatus.of(imagePolicy(2L), problems,
        Optional.of("Secret ops/push does not exist"), List.of(), List.of(), T1);

    Condition valid = Conditions.get(status.getConditions(), "Valid").orElseThrow();
    assertThat(valid.getStatus()).isEqualTo("False");
    assertThat(valid.getReason()).isEqualTo("InvalidSpec");
    assertThat(valid.getMessage()).isEqualTo("spec.destination.registry: is required; spec.includeImages[0]: is empty");
    Condition credentials = Conditions.get(status.getConditions(), "CredentialsReady").orElseThrow();
    assertThat(credentials.getStatus()).isEqualTo("False");
    assertThat(credentials.getReason()).isEqualTo("InvalidCredentials");
    assertThat(credentials.getMessage()).isEqualTo("Secret ops/push does not exist");
  }

  @Test
  void theTransitionTimeMovesOnlyWhenAConditionChanges() {
    ImagePolicy policy = imagePolicy(2L);
    policy.setStatus(PolicyStatus.of(policy, List.of(), Optional.empty(), List.of(), List.of(), T0));

    ImagePolicyStatus later = PolicyStatus.of(policy, List.of(), Optional.of("Secret ops/push does not exist"),
        List.of(), List.of(), T1);

    assertThat(Conditions.get(later.getConditions(), "Valid").orElseThrow().getLastTransitionTime())
        .isEqualTo("2025-03-01T10:00:00Z");
    assertThat(Conditions.get(later.getConditions(), "CredentialsReady").orElseThrow().getLastTransitionTime())
        .isEqualTo("2025-03-01T11:30:00Z");
  }

  @Test
  void otherConditionsOnThePolicyAreKept() {
    ImagePolicy policy = imagePolicy(1L);
    ImagePolicyStatus before = new ImagePolicyStatus();
    before.setConditions(new ArrayList<>(Conditions.set(List.of(), "Custom", true, "Mine", "", 1, T0)));
    policy.setStatus(before);

    ImagePolicyStatus status = PolicyStatus.of(policy, List.of(), Optional.empty(), List.of(), List.of(), T1);

    assertThat(status.getConditions()).extracting(Condition::getType)
        .containsExactlyInAnyOrder("Custom", "Valid", "CredentialsReady");
  }

  @Test
  void aPolicyWithoutGenerationIsObservedAtZero() {
    ImagePolicyStatus status = PolicyStatus.of(imagePolicy(null), List.of(), Optional.empty(), List.of(),
        List.of(), T1);

    assertThat(status.getObservedGeneration()).isZero();
    assertThat(status.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isZero());
  }
}
