package dev.holdfast.operator.copy;

import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImageCopyStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The status an ImageCopy gets at each step. {@code Ready} is True only with a verified copy.
 * Pure: the reconciler writes what these return.
 */
public final class CopyStatus {
  /** The condition that says a verified copy exists. */
  public static final String READY = "Ready";
  /** Ready=False while a copy is under way. */
  public static final String COPYING = "Copying";

  private CopyStatus() {}

  /** Whether the ImageCopy has a verified copy. */
  public static boolean isReady(ImageCopy copy) {
    return copy.getStatus() != null && copy.getStatus().getCopy() != null
        && Conditions.isTrue(copy.getStatus().getConditions(), READY);
  }

  /** The status while a copy runs: the last verified copy, if any, stays recorded and Ready. */
  public static ImageCopyStatus copying(ImageCopy copy, int usedBy, Instant now) {
    ImageCopyStatus status = copyOf(copy.getStatus());
    status.setUsedBy(usedBy);
    status.setObservedGeneration(copy.getMetadata().getGeneration());
    if (!isReady(copy)) {
      status.setConditions(Conditions.set(status.getConditions(), READY, false, COPYING,
          "copying " + copy.getSpec().getSource(), generation(copy), now));
    }
    return status;
  }

  /** The status after a verified copy. */
  public static ImageCopyStatus verified(ImageCopy copy, CopyOutcome.Verified outcome, int usedBy) {
    ImageCopyStatus status = copyOf(copy.getStatus());
    status.setCopy(outcome.copy());
    status.setDigest(outcome.digest());
    status.setPlatforms(outcome.platforms().isEmpty() ? null : outcome.platforms());
    status.setSize(outcome.size());
    status.setServedFrom(outcome.servedFrom());
    status.setVerifiedAt(outcome.verifiedAt().truncatedTo(ChronoUnit.SECONDS).toString());
    status.setUsedBy(usedBy);
    status.setFailures(null);
    status.setAttemptedAt(status.getVerifiedAt());
    status.setObservedGeneration(copy.getMetadata().getGeneration());
    status.setConditions(Conditions.set(status.getConditions(), READY, true, "Verified",
        "read back by digest at the destination", generation(copy), outcome.verifiedAt()));
    if (Conditions.get(status.getConditions(), "UpstreamAvailable").map(c -> "TagMoved".equals(c.getReason()))
        .orElse(false)) {
      status.setUpstreamSeenAt(status.getVerifiedAt());
      status.setConditions(Conditions.set(status.getConditions(), "UpstreamAvailable", true, "Available",
          "followed the tag to " + outcome.digest(), generation(copy), outcome.verifiedAt()));
    }
    return status;
  }

  /**
   * The status after a failure. A copy verified earlier stays recorded and Ready (the failure is
   * then a failed refresh); otherwise Ready=False with the failure's reason.
   */
  public static ImageCopyStatus failed(ImageCopy copy, CopyOutcome.Failed outcome, int usedBy) {
    ImageCopyStatus status = copyOf(copy.getStatus());
    status.setUsedBy(usedBy);
    status.setFailures(failures(copy) + 1);
    status.setAttemptedAt(outcome.at().truncatedTo(ChronoUnit.SECONDS).toString());
    status.setObservedGeneration(copy.getMetadata().getGeneration());
    if (!isReady(copy)) {
      status.setConditions(Conditions.set(status.getConditions(), READY, false, outcome.reason(),
          outcome.message(), generation(copy), outcome.at()));
    }
    return status;
  }

  /** A copy of the status of {@code copy} (empty when it has none), to change without touching the cache's. */
  public static ImageCopyStatus copyOf(ImageCopy copy) {
    return copyOf(copy.getStatus());
  }

  /** Failed attempts since the last success. */
  public static int failures(ImageCopy copy) {
    return copy.getStatus() == null || copy.getStatus().getFailures() == null ? 0
        : Math.max(0, copy.getStatus().getFailures()); // a negative count (an edited status) would overflow backoff
  }

  /**
   * How long after its last failure an ImageCopy is tried again: {@code base} doubled per failure
   * since the last success, at most {@code cap}; empty when it has not failed.
   */
  public static Optional<Duration> backoff(ImageCopy copy, Duration base, Duration cap) {
    int failures = failures(copy);
    if (failures == 0) {
      return Optional.empty();
    }
    Duration wait = base.multipliedBy(1L << Math.min(failures - 1, 20));
    return Optional.of(wait.compareTo(cap) > 0 ? cap : wait);
  }

  /** When the last failed attempt ended; empty when the last attempt succeeded. */
  public static Optional<Instant> lastFailure(ImageCopy copy) {
    if (failures(copy) == 0 || copy.getStatus().getAttemptedAt() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(copy.getStatus().getAttemptedAt()));
    } catch (DateTimeParseException e) { // an edited status must not wedge the ImageCopy's reconcile
      return Optional.empty();
    }
  }

  private static long generation(ImageCopy copy) {
    Long generation = copy.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  private static ImageCopyStatus copyOf(ImageCopyStatus current) {
    ImageCopyStatus status = new ImageCopyStatus();
    if (current != null) {
      status.setCopy(current.getCopy());
      status.setDigest(current.getDigest());
      status.setPlatforms(current.getPlatforms());
      status.setSize(current.getSize());
      status.setServedFrom(current.getServedFrom());
      status.setVerifiedAt(current.getVerifiedAt());
      status.setUsedBy(current.getUsedBy());
      status.setFailures(current.getFailures());
      status.setAttemptedAt(current.getAttemptedAt());
      status.setUpstreamCheckedAt(current.getUpstreamCheckedAt());
      status.setUpstreamSeenAt(current.getUpstreamSeenAt());
      status.setLastUsedAt(current.getLastUsedAt());
      status.setObservedGeneration(current.getObservedGeneration());
      status.setConditions(current.getConditions());
    }
    return status;
  }
}
