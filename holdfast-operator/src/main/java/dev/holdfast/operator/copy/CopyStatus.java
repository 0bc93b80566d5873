package dev.holdfast.operator.copy;

import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImageCopyStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
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
    setAccess(status, outcome.grants(), outcome.verifiedAt());
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

  /** The status after checking further namespaces' access to a private source: their findings merged in. */
  public static ImageCopyStatus accessChecked(ImageCopy copy, CopyOutcome.Granted outcome) {
    ImageCopyStatus status = copyOf(copy.getStatus());
    java.util.Set<String> readable = new java.util.TreeSet<>(listOrEmpty(status.getReadableIn()));
    java.util.Set<String> unreadable = new java.util.TreeSet<>(listOrEmpty(status.getUnreadableIn()));
    readable.removeAll(outcome.grants().denied());
    unreadable.removeAll(outcome.grants().granted());
    readable.addAll(outcome.grants().granted());
    unreadable.addAll(outcome.grants().denied());
    setAccess(status, new SourceAccess.Grants(outcome.grants().requiresCredentials(), readable, unreadable),
        outcome.at());
    return status;
  }

  /**
   * Whether the verified copy may be served to {@code namespace}: a public source's to every
   * namespace; a private source's only to the namespaces whose own pull secrets can read it, or to
   * every namespace when {@code shared}. A copy whose access was never checked counts as private.
   */
  public static boolean servesNamespace(ImageCopy copy, String namespace, boolean shared) {
    ImageCopyStatus status = copy.getStatus();
    if (shared || status == null) {
      return shared;
    }
    if (Boolean.FALSE.equals(status.getPrivateSource())) {
      return true;
    }
    return status.getReadableIn() != null && status.getReadableIn().contains(namespace);
  }

  /** The namespaces of {@code pullSecrets} whose access to a private source has not been checked yet. */
  public static java.util.Set<String> uncheckedNamespaces(ImageCopy copy) {
    ImageCopyStatus status = copy.getStatus();
    if (status == null || !Boolean.TRUE.equals(status.getPrivateSource())) {
      return java.util.Set.of();
    }
    java.util.Set<String> unchecked = new java.util.TreeSet<>();
    copy.getSpec().getPullSecrets().forEach(ref -> unchecked.add(ref.namespace()));
    unchecked.removeAll(listOrEmpty(status.getReadableIn()));
    unchecked.removeAll(listOrEmpty(status.getUnreadableIn()));
    return unchecked;
  }

  private static void setAccess(ImageCopyStatus status, SourceAccess.Grants grants, Instant at) {
    status.setPrivateSource(grants.requiresCredentials());
    status.setReadableIn(grants.requiresCredentials() ? List.copyOf(new java.util.TreeSet<>(grants.granted())) : null);
    status.setUnreadableIn(grants.requiresCredentials() && !grants.denied().isEmpty()
        ? List.copyOf(new java.util.TreeSet<>(grants.denied())) : null);
    status.setAccessCheckedAt(at.truncatedTo(ChronoUnit.SECONDS).toString());
  }

  private static List<String> listOrEmpty(List<String> list) {
    return list == null ? List.of() : list;
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
      status.setPrivateSource(current.getPrivateSource());
      status.setReadableIn(current.getReadableIn());
      status.setUnreadableIn(current.getUnreadableIn());
      status.setAccessCheckedAt(current.getAccessCheckedAt());
      status.setObservedGeneration(current.getObservedGeneration());
      status.setConditions(current.getConditions());
    }
    return status;
  }
}
