package dev.holdfast.oci.manifest;

import dev.holdfast.oci.OciException;

/** A manifest that Holdfast refuses: malformed, too large, schema 1, or of an unsupported type. */
public class InvalidManifestException extends OciException {

  /** Why the manifest was refused; callers may act differently on each. */
  public enum Problem {
    /** Not valid JSON, a required field missing or of the wrong type, an invalid digest, ... */
    MALFORMED,
    /** Larger than {@link Manifest#MAX_SIZE}. */
    TOO_LARGE,
    /** Docker image manifest v2 schema 1, deprecated and unsupported. */
    SCHEMA1,
    /** A media type that is not a manifest type Holdfast understands. */
    UNSUPPORTED_MEDIA_TYPE
  }

  private final Problem problem;

  public InvalidManifestException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public InvalidManifestException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  /** Why the manifest was refused. */
  public Problem problem() {
    return problem;
  }

  /** True when the manifest is a Docker v2 schema 1 manifest. */
  public boolean isSchema1() {
    return problem == Problem.SCHEMA1;
  }

  /** True when the manifest is larger than {@link Manifest#MAX_SIZE}. */
  public boolean isTooLarge() {
    return problem == Problem.TOO_LARGE;
  }
}
