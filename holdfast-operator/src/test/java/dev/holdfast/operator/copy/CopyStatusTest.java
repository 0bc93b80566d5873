package dev.holdfast.operator.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImageCopySpec;
import dev.holdfast.operator.api.ImageCopyStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import dev.holdfast.operator.api.SecretReference;
import java.util.Set;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The status an ImageCopy gets at each step: copying, verified, failed, and the back-off between attempts. */
class CopyStatusTest {
  private static final String SOURCE = "docker.io/library/nginx:1.27";
  private static final String DIGEST = "sha256:" + "f".repeat(64);
  private static final String COPY = "copies.example.com/keep/docker.io/library/nginx:1.27@" + DIGEST;
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00.400Z");
  private static final Instant T1 = Instant.parse("2025-03-01T10:05:00.900Z");
  private static final Instant T2 = Instant.parse("2025-03-01T10:20:00Z");

  private static ImageCopy fresh() {
    ImageCopy copy = ImageCopy.of("nginx-1.27-0123456789", new ImageCopySpec(SOURCE, "p", List.of()));
    copy.getMetadata().setGeneration(2L);
    return copy;
  }

  private static ImageCopy with(ImageCopy copy, ImageCopyStatus status) {
    copy.setStatus(status);
    return copy;
  }

  private static final SourceAccess.Grants PUBLIC = new SourceAccess.Grants(false, Set.of(), Set.of());

  private static CopyOutcome.Verified verifiedOutcome(Instant at, List<String> platforms) {
    return verifiedOutcome(at, platforms, PUBLIC);
  }

  private static CopyOutcome.Verified verifiedOutcome(Instant at, List<String> platforms, SourceAccess.Grants grants) {
    return new CopyOutcome.Verified(COPY, DIGEST, platforms, 12_345L, "docker://mirror.example.com/nginx:1.27", at,
        999L, Duration.ofSeconds(3), grants);
  }

  private static ImageCopy privateCopy(Set<String> readable, Set<String> unreadable, String... pullSecretNamespaces) {
    List<SecretReference> secrets = java.util.Arrays.stream(pullSecretNamespaces)
        .map(n -> new SecretReference(n, "pull")).toList();
    ImageCopy copy = ImageCopy.of("nginx-1.27-0123456789", new ImageCopySpec(SOURCE, "p", secrets));
    copy.getMetadata().setGeneration(2L);
    return with(copy, CopyStatus.verified(copy, verifiedOutcome(T1, List.of(),
        new SourceAccess.Grants(true, readable, unreadable)), 1));
  }

  // --- access to a private source ---

  @Test
  void aPublicSourcesCopyServesEveryNamespace() {
    ImageCopy copy = with(fresh(), CopyStatus.verified(fresh(), verifiedOutcome(T1, List.of()), 1));

    assertThat(copy.getStatus().getPrivateSource()).isFalse();
    assertThat(copy.getStatus().getReadableIn()).isNull();
    assertThat(CopyStatus.servesNamespace(copy, "anyone", false)).isTrue();
    assertThat(CopyStatus.uncheckedNamespaces(copy)).isEmpty();
  }

  @ParameterizedTest(name = "{0} shared={1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      team-a  | false | true
      team-b  | false | false
      team-c  | false | false
      team-b  | true  | true
      team-c  | true  | true
      """)
  void aPrivateSourcesCopyServesOnlyTheNamespacesThatCanReadItUnlessShared(String namespace, boolean shared,
      boolean served) {
    ImageCopy copy = privateCopy(Set.of("team-a"), Set.of("team-b"), "team-a", "team-b");

    assertThat(copy.getStatus().getPrivateSource()).isTrue();
    assertThat(copy.getStatus().getReadableIn()).containsExactly("team-a");
    assertThat(copy.getStatus().getUnreadableIn()).containsExactly("team-b");
    assertThat(CopyStatus.servesNamespace(copy, namespace, shared)).isEqualTo(served);
  }

  @Test
  void aCopyWhoseAccessWasNeverCheckedServesNoNamespaceUnlessShared() {
    ImageCopyStatus status = new ImageCopyStatus();
    status.setCopy(COPY);
    ImageCopy copy = with(fresh(), status);

    assertThat(CopyStatus.servesNamespace(copy, "team-a", false)).isFalse();
    assertThat(CopyStatus.servesNamespace(copy, "team-a", true)).isTrue();
  }

  @Test
  void aNamespaceWithPullSecretsThatWasNotCheckedIsUnchecked() {
    ImageCopy copy = privateCopy(Set.of("team-a"), Set.of("team-b"), "team-a", "team-b", "team-c");

    assertThat(CopyStatus.uncheckedNamespaces(copy)).containsExactly("team-c");
  }

  @Test
  void aLaterCheckMergesItsFindingsAndMovesANamespaceThatChangedSides() {
    ImageCopy copy = privateCopy(Set.of("team-a"), Set.of("team-b"), "team-a", "team-b", "team-c");

    ImageCopyStatus after = CopyStatus.accessChecked(copy, new CopyOutcome.Granted(
        new SourceAccess.Grants(true, Set.of("team-b", "team-c"), Set.of()), T2));

    assertThat(after.getReadableIn()).containsExactly("team-a", "team-b", "team-c");
    assertThat(after.getUnreadableIn()).isNull();
    assertThat(after.getAccessCheckedAt()).isEqualTo("2025-03-01T10:20:00Z");
    assertThat(copy.getStatus().getReadableIn()).containsExactly("team-a"); // the cache's status is untouched
  }

  @Test
  void aSourceThatBecamePublicServesEveryone() {
    ImageCopy copy = privateCopy(Set.of("team-a"), Set.of("team-b"), "team-a", "team-b");

    ImageCopyStatus after = CopyStatus.accessChecked(copy, new CopyOutcome.Granted(
        new SourceAccess.Grants(false, Set.of(), Set.of()), T2));

    assertThat(after.getPrivateSource()).isFalse();
    assertThat(after.getReadableIn()).isNull();
    assertThat(CopyStatus.servesNamespace(with(fresh(), after), "team-b", false)).isTrue();
  }

  @Test
  void aFailedCheckRefusesEveryNamespaceItWasToCheck() {
    SourceAccess.Grants grants = SourceAccess.Grants.noneReadable(List.of(new SecretReference("team-a", "x"),
        new SecretReference("team-b", "y"), new SecretReference("team-b", "z")), Set.of("team-a"));

    assertThat(grants.requiresCredentials()).isTrue();
    assertThat(grants.granted()).isEmpty();
    assertThat(grants.denied()).containsExactly("team-b");
  }

  private static CopyOutcome.Failed failedOutcome(String reason, Instant at) {
    return new CopyOutcome.Failed(reason, reason + ": it went wrong", at, Duration.ofSeconds(1));
  }

  private static Condition ready(ImageCopyStatus status) {
    return Conditions.get(status.getConditions(), CopyStatus.READY).orElseThrow();
  }

  private static ImageCopy withFailures(Integer failures, String attemptedAt) {
    ImageCopyStatus status = new ImageCopyStatus();
    status.setFailures(failures);
    status.setAttemptedAt(attemptedAt);
    return with(fresh(), status);
  }

  // --- isReady ---

  @Test
  void onlyAVerifiedCopyIsReady() {
    ImageCopy verified = with(fresh(), CopyStatus.verified(fresh(), verifiedOutcome(T0, List.of()), 1));
    ImageCopyStatus trueWithoutCopy = new ImageCopyStatus();
    trueWithoutCopy.setConditions(Conditions.set(null, CopyStatus.READY, true, "Verified", "", 1, T0));
    ImageCopyStatus copyWithoutCondition = new ImageCopyStatus();
    copyWithoutCondition.setCopy(COPY);

    assertThat(CopyStatus.isReady(verified)).isTrue();
    assertThat(CopyStatus.isReady(fresh())).isFalse();
    assertThat(CopyStatus.isReady(with(fresh(), new ImageCopyStatus()))).isFalse();
    assertThat(CopyStatus.isReady(with(fresh(), trueWithoutCopy))).isFalse();
    assertThat(CopyStatus.isReady(with(fresh(), copyWithoutCondition))).isFalse();
  }

  // --- transitions ---

  @Test
  void aFreshCopyThatStartsCopyingIsNotReadyWithReasonCopying() {
    ImageCopyStatus status = CopyStatus.copying(fresh(), 3, T0);

    assertThat(status.getUsedBy()).isEqualTo(3);
    assertThat(status.getObservedGeneration()).isEqualTo(2L);
    assertThat(status.getCopy()).isNull();
    assertThat(ready(status)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo(CopyStatus.COPYING);
      assertThat(c.getMessage()).contains(SOURCE);
      assertThat(c.getLastTransitionTime()).isEqualTo("2025-03-01T10:00:00Z");
      assertThat(c.getObservedGeneration()).isEqualTo(2L);
    });
  }

  @Test
  void aVerifiedCopyRecordsWhatWasCopiedAndBecomesReady() {
    ImageCopy copying = with(fresh(), CopyStatus.copying(fresh(), 1, T0));

    ImageCopyStatus status = CopyStatus.verified(copying, verifiedOutcome(T1, List.of("linux/amd64", "linux/arm64")),
        4);

    assertThat(status.getCopy()).isEqualTo(COPY);
    assertThat(status.getDigest()).isEqualTo(DIGEST);
    assertThat(status.getPlatforms()).containsExactly("linux/amd64", "linux/arm64");
    assertThat(status.getSize()).isEqualTo(12_345L);
    assertThat(status.getServedFrom()).isEqualTo("docker://mirror.example.com/nginx:1.27");
    assertThat(status.getVerifiedAt()).isEqualTo("2025-03-01T10:05:00Z");
    assertThat(status.getAttemptedAt()).isEqualTo(status.getVerifiedAt());
    assertThat(status.getFailures()).isNull();
    assertThat(status.getUsedBy()).isEqualTo(4);
    assertThat(ready(status)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("Verified");
      assertThat(c.getLastTransitionTime()).isEqualTo("2025-03-01T10:05:00Z");
    });
    assertThat(CopyStatus.isReady(with(fresh(), status))).isTrue();
  }

  @Test
  void aSinglePlatformImageRecordsNoPlatforms() {
    assertThat(CopyStatus.verified(fresh(), verifiedOutcome(T1, List.of()), 1).getPlatforms()).isNull();
  }

  @Test
  void aFailureWithoutAVerifiedCopyIsNotReadyWithTheFailuresReason() {
    ImageCopy copying = with(fresh(), CopyStatus.copying(fresh(), 1, T0));

    ImageCopyStatus status = CopyStatus.failed(copying, failedOutcome("NotFound", T1), 1);

    assertThat(status.getFailures()).isEqualTo(1);
    assertThat(status.getAttemptedAt()).isEqualTo("2025-03-01T10:05:00Z");
    assertThat(status.getCopy()).isNull();
    assertThat(ready(status)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo("NotFound");
      assertThat(c.getMessage()).isEqualTo("NotFound: it went wrong");
      // False before (Copying), False now: the transition time stays
      assertThat(c.getLastTransitionTime()).isEqualTo("2025-03-01T10:00:00Z");
    });
  }

  @Test
  void failuresCountUpUntilASuccessClearsThem() {
    ImageCopy copy = fresh();
    for (int i = 1; i <= 3; i++) {
      copy = with(fresh(), CopyStatus.failed(copy, failedOutcome("Unreachable", T0.plusSeconds(i)), 1));
      assertThat(CopyStatus.failures(copy)).isEqualTo(i);
    }

    ImageCopy verified = with(fresh(), CopyStatus.verified(copy, verifiedOutcome(T1, List.of()), 1));

    assertThat(CopyStatus.failures(verified)).isZero();
    assertThat(CopyStatus.lastFailure(verified)).isEmpty();
    assertThat(CopyStatus.backoff(verified, Duration.ofSeconds(5), Duration.ofMinutes(5))).isEmpty();
  }

  @Test
  void aFailedRefreshKeepsTheVerifiedCopyReady() {
    ImageCopy verified = with(fresh(), CopyStatus.verified(fresh(), verifiedOutcome(T0, List.of()), 1));

    ImageCopyStatus status = CopyStatus.failed(verified, failedOutcome("Unauthorized", T1), 2);

    assertThat(status.getCopy()).isEqualTo(COPY);
    assertThat(status.getDigest()).isEqualTo(DIGEST);
    assertThat(status.getVerifiedAt()).isEqualTo("2025-03-01T10:00:00Z");
    assertThat(status.getFailures()).isEqualTo(1);
    assertThat(status.getAttemptedAt()).isEqualTo("2025-03-01T10:05:00Z");
    assertThat(ready(status)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("Verified");
    });
    assertThat(CopyStatus.isReady(with(fresh(), status))).isTrue();
  }

  @Test
  void aRefreshUnderWayKeepsTheVerifiedCopyReady() {
    ImageCopy verified = with(fresh(), CopyStatus.verified(fresh(), verifiedOutcome(T0, List.of()), 1));

    ImageCopyStatus status = CopyStatus.copying(verified, 5, T1);

    assertThat(status.getCopy()).isEqualTo(COPY);
    assertThat(status.getUsedBy()).isEqualTo(5);
    assertThat(ready(status).getStatus()).isEqualTo("True");
    assertThat(ready(status).getLastTransitionTime()).isEqualTo("2025-03-01T10:00:00Z");
  }

  @Test
  void aCopyThatFailedThenSucceededMovesTheTransitionTime() {
    ImageCopy failed = with(fresh(), CopyStatus.failed(fresh(), failedOutcome("Unreachable", T0), 1));

    ImageCopyStatus verified = CopyStatus.verified(failed, verifiedOutcome(T1, List.of()), 1);

    assertThat(ready(verified).getLastTransitionTime()).isEqualTo("2025-03-01T10:05:00Z");
  }

  @Test
  void theCurrentStatusIsNotModified() {
    ImageCopy failed = with(fresh(), CopyStatus.failed(fresh(), failedOutcome("Unreachable", T0), 1));
    ImageCopyStatus before = failed.getStatus();

    CopyStatus.verified(failed, verifiedOutcome(T1, List.of()), 7);

    assertThat(failed.getStatus()).isSameAs(before);
    assertThat(before.getFailures()).isEqualTo(1);
    assertThat(before.getCopy()).isNull();
    assertThat(ready(before).getStatus()).isEqualTo("False");
  }

  @Test
  void aCopyWithoutGenerationIsObservedAtZero() {
    ImageCopy copy = fresh();
    copy.getMetadata().setGeneration(null);

    ImageCopyStatus status = CopyStatus.copying(copy, 1, T0);

    assertThat(ready(status).getObservedGeneration()).isZero();
  }

  // --- back-off ---

  @ParameterizedTest(name = "{0} failures -> {1}s")
  @CsvSource({
      "1,   5",
      "2,   10",
      "3,   20",
      "4,   40",
      "5,   80",
      "6,   160",
      "7,   300",
      "8,   300",
      "30,  300",
      "2147483647, 300",
  })
  void theBackoffDoublesPerFailureUpToTheCap(int failures, long seconds) {
    ImageCopy copy = withFailures(failures, "2025-03-01T10:00:00Z");

    assertThat(CopyStatus.backoff(copy, Duration.ofSeconds(5), Duration.ofMinutes(5)))
        .contains(Duration.ofSeconds(seconds));
  }

  @Test
  void aBaseAboveTheCapIsCapped() {
    assertThat(CopyStatus.backoff(withFailures(1, null), Duration.ofMinutes(10), Duration.ofMinutes(5)))
        .contains(Duration.ofMinutes(5));
  }

  @Test
  void noFailuresNoBackoff() {
    assertThat(CopyStatus.backoff(fresh(), Duration.ofSeconds(5), Duration.ofMinutes(5))).isEmpty();
    assertThat(CopyStatus.backoff(withFailures(null, null), Duration.ofSeconds(5), Duration.ofMinutes(5))).isEmpty();
    assertThat(CopyStatus.backoff(withFailures(0, "2025-03-01T10:00:00Z"), Duration.ofSeconds(5),
        Duration.ofMinutes(5))).isEmpty();
  }

  // --- last failure ---

  @Test
  void theLastFailureIsWhenTheLastFailedAttemptEnded() {
    ImageCopy failed = with(fresh(), CopyStatus.failed(fresh(), failedOutcome("Unreachable", T2), 1));

    assertThat(CopyStatus.lastFailure(failed)).contains(Instant.parse("2025-03-01T10:20:00Z"));
    assertThat(CopyStatus.lastFailure(fresh())).isEmpty();
    assertThat(CopyStatus.lastFailure(withFailures(2, null))).isEmpty();
  }

  // --- an edited status: invalid, must not crash ---

  @ParameterizedTest(name = "attemptedAt \"{0}\"")
  @ValueSource(strings = {"", "yesterday", "2025-03-01", "2025-03-01 10:00:00"})
  void anUnreadableAttemptTimeIsNoKnownFailureTime(String attemptedAt) {
    ImageCopy copy = withFailures(2, attemptedAt);

    assertThat(CopyStatus.lastFailure(copy)).isEmpty();
    assertThat(CopyStatus.backoff(copy, Duration.ofSeconds(5), Duration.ofMinutes(5)))
        .contains(Duration.ofSeconds(10));
  }

  @ParameterizedTest(name = "failures={0}")
  @ValueSource(ints = {-1, -2, -64, Integer.MIN_VALUE})
  void aNegativeFailureCountIsNoFailure(int failures) {
    ImageCopy copy = withFailures(failures, "2025-03-01T10:00:00Z");

    assertThat(CopyStatus.failures(copy)).isZero();
    assertThat(CopyStatus.backoff(copy, Duration.ofSeconds(5), Duration.ofMinutes(5))).isEmpty();
    assertThat(CopyStatus.lastFailure(copy)).isEmpty();
    assertThat(CopyStatus.failed(copy, failedOutcome("Unreachable", T1), 1).getFailures()).isEqualTo(1);
  }
}
