package dev.holdfast.oci.registry;

/**
 * The registry could not be reached or kept failing (connection refused or reset, timeouts, HTTP
 * 408 and 5xx) after the configured retries.
 */
public final class RegistryUnavailableException extends RegistryException {

  RegistryUnavailableException(
      String registry, String action, int statusCode, String errorCode, String detail, Throwable cause) {
    super(registry, action, statusCode, errorCode, detail, cause);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
