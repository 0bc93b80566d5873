package dev.holdfast.oci.copy;

import dev.holdfast.oci.OciException;

/** A copy cannot be done for a reason of its own (no source has the image, no platform matches). */
public class CopyException extends OciException {
  private static final long serialVersionUID = 1L;

  public CopyException(String message) {
    super(message);
  }

  public CopyException(String message, Throwable cause) {
    super(message, cause);
  }

  /** None of the sources has the image, or none could be reached. */
  public static final class SourceUnavailable extends CopyException {
    private static final long serialVersionUID = 1L;

    public SourceUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The source is blocked by a mirror rule and no mirror may serve the reference: nothing was
   * contacted.
   */
  public static final class SourceBlocked extends CopyException {
    private static final long serialVersionUID = 1L;

    public SourceBlocked(String message) {
      super(message);
    }
  }

  /** The platform filter selects nothing from the image. */
  public static final class NoMatchingPlatform extends CopyException {
    private static final long serialVersionUID = 1L;

    public NoMatchingPlatform(String message) {
      super(message);
    }
  }

  /** A copy read back at its destination is missing a part, or a part differs from its descriptor. */
  public static final class VerificationFailed extends CopyException {
    private static final long serialVersionUID = 1L;

    public VerificationFailed(String message) {
      super(message);
    }
  }
}
