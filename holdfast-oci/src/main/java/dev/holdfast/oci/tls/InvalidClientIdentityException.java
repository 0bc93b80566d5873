package dev.holdfast.oci.tls;

import dev.holdfast.oci.OciException;

/**
 * A client certificate or its key cannot be used: unreadable, not PEM, encrypted, of a kind the
 * JDK cannot load, or a key that does not belong to the certificate. The message names the files,
 * never key material.
 */
public class InvalidClientIdentityException extends OciException {
  public InvalidClientIdentityException(String message) {
    super(message);
  }

  public InvalidClientIdentityException(String message, Throwable cause) {
    super(message, cause);
  }
}
