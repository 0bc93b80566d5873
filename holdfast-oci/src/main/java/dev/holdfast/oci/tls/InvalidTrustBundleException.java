package dev.holdfast.oci.tls;

/** A trust bundle that cannot be used: unreadable, or without a single valid certificate. */
public class InvalidTrustBundleException extends RuntimeException {
  public InvalidTrustBundleException(String message) {
    super(message);
  }

  public InvalidTrustBundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
