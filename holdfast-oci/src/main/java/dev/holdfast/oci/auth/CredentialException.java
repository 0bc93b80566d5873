package dev.holdfast.oci.auth;

import dev.holdfast.oci.OciException;

/** Credentials could not be read: a malformed config file or pull secret, or a failing helper. */
public class CredentialException extends OciException {
  public CredentialException(String message) {
    super(message);
  }

  public CredentialException(String message, Throwable cause) {
    super(message, cause);
  }
}
