package dev.holdfast.oci.registry;

import dev.holdfast.oci.reference.Digest;

/**
 * Content from the registry did not match what was asked for: a different digest or a different
 * length. Both the expected and the actual values are in the message and the accessors.
 */
public final class DigestMismatchException extends RegistryException {

  private final Digest expectedDigest;
  private final Digest actualDigest;
  private final long expectedSize;
  private final long actualSize;

  DigestMismatchException(
      String registry,
      String action,
      Digest expectedDigest,
      Digest actualDigest,
      long expectedSize,
      long actualSize) {
    super(registry, action, 0, null, describe(expectedDigest, actualDigest, expectedSize, actualSize), null);
    this.expectedDigest = expectedDigest;
    this.actualDigest = actualDigest;
    this.expectedSize = expectedSize;
    this.actualSize = actualSize;
  }

  private static String describe(Digest expected, Digest actual, long expectedSize, long actualSize) {
    if (expectedSize >= 0 && expectedSize != actualSize) {
      return "expected " + expectedSize + " bytes with digest " + expected + " but "
          + (actual == null ? "got more than " + actualSize + " bytes" : "got " + actualSize
              + " bytes with digest " + actual);
    }
    return "expected digest " + expected + " but got " + actual + " (" + actualSize + " bytes)";
  }

  /** The digest that was asked for. */
  public Digest expectedDigest() {
    return expectedDigest;
  }

  /** The digest of what arrived, or null when the transfer was cut off early for being too long. */
  public Digest actualDigest() {
    return actualDigest;
  }

  /** The size that was asked for, or -1 when unknown. */
  public long expectedSize() {
    return expectedSize;
  }

  /** The number of bytes that arrived (for an overlong transfer: where it was cut off). */
  public long actualSize() {
    return actualSize;
  }

  /** A damaged transfer may succeed when repeated. */
  @Override
  public boolean isRetryable() {
    return true;
  }
}
