package dev.holdfast.oci.tls;

import dev.holdfast.oci.OciException;

/** A trust bundle that cannot be used: unreadable, or without a single valid certificate. */
public class InvalidTrustBundleException extends OciException {
  public InvalidTrustBundleException(String message) {
    super(message);
  }

  public InvalidTrustBundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
