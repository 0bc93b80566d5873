package dev.holdfast.oci.registry;

import java.time.Duration;
import java.util.Optional;

/** The registry rate-limited the client (HTTP 429 / {@code TOOMANYREQUESTS}) beyond the retries. */
public final class TooManyRequestsException extends RegistryException {

  private final Duration retryAfter;

  TooManyRequestsException(String registry, String action, String detail, Duration retryAfter) {
    super(registry, action, 429, "TOOMANYREQUESTS", detail, null);
    this.retryAfter = retryAfter;
  }

  /** How long the registry asked the client to wait ({@code Retry-After}), if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
