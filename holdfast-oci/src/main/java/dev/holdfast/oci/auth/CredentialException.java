package dev.holdfast.oci.auth;

/** Credentials could not be read: a malformed config file or pull secret, or a failing helper. */
public class CredentialException extends RuntimeException {
  public CredentialException(String message) {
    super(message);
  }

  public CredentialException(String message, Throwable cause) {
    super(message, cause);
  }
}
