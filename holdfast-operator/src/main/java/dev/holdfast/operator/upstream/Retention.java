package dev.holdfast.operator.upstream;

import dev.holdfast.operator.api.ImageCopy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a copy is past retention: no workload or Pod names its source (by its image or by the original
 * a rewritten one records), and none has for the policy's retention. Pure.
 */
public final class Retention {
  private Retention() {}

  /**
   * The new {@code lastUsedAt} when the source is in use and the recorded one is stale (older than a
   * tenth of the retention, at most a day), so that the status is written rarely; else empty.
   */
  public static Optional<Instant> touch(ImageCopy copy, boolean inUse, Duration retention, Instant now) {
    if (!inUse) {
      return Optional.empty();
    }
    Optional<Instant> last = lastUsed(copy);
    Duration stale = retention.dividedBy(10).compareTo(Duration.ofDays(1)) < 0 ? retention.dividedBy(10)
        : Duration.ofDays(1);
    return last.isEmpty() || last.get().plus(stale).isBefore(now) ? Optional.of(now) : Optional.empty();
  }

  /** Whether the copy is unused and was last used (or made) longer than {@code retention} ago. */
  public static boolean expired(ImageCopy copy, boolean inUse, Duration retention, Instant now) {
    if (inUse) {
      return false;
    }
    Optional<Instant> since = lastUsed(copy).or(() -> Optional.ofNullable(copy.getMetadata().getCreationTimestamp())
        .map(Instant::parse));
    return since.isPresent() && since.get().plus(retention).isBefore(now);
  }

  private static Optional<Instant> lastUsed(ImageCopy copy) {
    return copy.getStatus() == null || copy.getStatus().getLastUsedAt() == null ? Optional.empty()
        : Optional.of(Instant.parse(copy.getStatus().getLastUsedAt()));
  }
}
