package dev.holdfast.operator.upstream;

import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImageCopyStatus;
import dev.holdfast.operator.copy.CopyStatus;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The condition {@code UpstreamAvailable} an upstream check gives an ImageCopy: True while the
 * source serves what was copied; False with {@code NotFound}, {@code Unauthorized}, {@code
 * Unreachable} or {@code TagMoved}, the message saying when it was last seen as copied. Pure.
 */
public final class UpstreamStatus {
  /** The condition's type. */
  public static final String CONDITION = "UpstreamAvailable";

  private UpstreamStatus() {}

  /** What the check found, against the copy: a moved tag is {@code TagMoved}. */
  public static String state(ImageCopy copy, UpstreamResult result) {
    if (!result.state().equals(UpstreamResult.AVAILABLE)) {
      return result.state();
    }
    String copied = copy.getStatus() == null ? null : copy.getStatus().getDigest();
    return result.digest().isPresent() && copied != null && !result.digest().get().equals(copied)
        ? UpstreamResult.TAG_MOVED : UpstreamResult.AVAILABLE;
  }

  /** The status with the check applied. */
  public static ImageCopyStatus apply(ImageCopy copy, UpstreamResult result) {
    ImageCopyStatus status = CopyStatus.copyOf(copy);
    String at = result.at().truncatedTo(ChronoUnit.SECONDS).toString();
    String state = state(copy, result);
    status.setUpstreamCheckedAt(at);
    long generation = copy.getMetadata().getGeneration() == null ? 0 : copy.getMetadata().getGeneration();
    if (state.equals(UpstreamResult.AVAILABLE)) {
      status.setUpstreamSeenAt(at);
      status.setConditions(Conditions.set(status.getConditions(), CONDITION, true, UpstreamResult.AVAILABLE,
          result.message(), generation, result.at()));
      return status;
    }
    String lastSeen = Optional.ofNullable(status.getUpstreamSeenAt()).map(t -> "; last seen as copied " + t)
        .orElse("");
    String message = state.equals(UpstreamResult.TAG_MOVED)
        ? "the tag now names " + result.digest().orElse("?") + "; the copy holds " + status.getDigest() + lastSeen
        : result.message() + lastSeen;
    status.setConditions(Conditions.set(status.getConditions(), CONDITION, false, state, message, generation,
        result.at()));
    return status;
  }

  /** The condition's reason now, or empty before the first check. */
  public static Optional<String> reason(ImageCopy copy) {
    return copy.getStatus() == null ? Optional.empty()
        : Conditions.get(copy.getStatus().getConditions(), CONDITION).map(c -> c.getReason());
  }
}
