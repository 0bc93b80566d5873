package dev.holdfast.oci.registry;

import dev.holdfast.oci.OciException;
import java.util.Optional;

/**
 * A registry call failed; the root of the registry client's exceptions.
 *
 * <p>Messages name the action, the image and the registry, never a credential. {@link
 * #isRetryable()} says whether trying the same call again later can help.
 */
public class RegistryException extends OciException {

  private final String registry;
  private final String action;
  private final int statusCode;
  private final String errorCode;

  RegistryException(
      String registry, String action, int statusCode, String errorCode, String detail, Throwable cause) {
    super(message(registry, action, statusCode, errorCode, detail), cause);
    this.registry = registry;
    this.action = action;
    this.statusCode = statusCode;
    this.errorCode = errorCode;
  }

  private static String message(
      String registry, String action, int statusCode, String errorCode, String detail) {
    StringBuilder text = new StringBuilder().append(action).append(" failed: ").append(detail);
    if (statusCode > 0 || errorCode != null) {
      text.append(" (");
      if (statusCode > 0) {
        text.append("HTTP ").append(statusCode);
      }
      if (errorCode != null) {
        text.append(statusCode > 0 ? ", " : "").append(errorCode);
      }
      text.append(')');
    }
    return text.append(" [registry ").append(registry).append(']').toString();
  }

  /** The registry host (and port) the call went to, e.g. {@code localhost:5000}. */
  public String registry() {
    return registry;
  }

  /** What the client was doing, e.g. {@code pull manifest localhost:5000/app:1.0}. */
  public String action() {
    return action;
  }

  /** The HTTP status of the failed response, or 0 when no response arrived. */
  public int statusCode() {
    return statusCode;
  }

  /** The Distribution error code the registry returned (e.g. {@code MANIFEST_INVALID}), if any. */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /** Whether trying the same call again later can succeed. */
  public boolean isRetryable() {
    return false;
  }
}
