package dev.holdfast.oci.registry;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * When the registry client repeats a call: on connection errors, HTTP 408, 429 and 5xx, up to
 * {@code maxAttempts} attempts in all, waiting an exponential backoff with jitter between them, or
 * the registry's {@code Retry-After} when it sent one. A {@code Retry-After} longer than {@code
 * maxRetryAfter} is not waited for: the call fails at once with the wait in the exception.
 *
 * @param maxAttempts attempts in all, at least 1 (1 = no retries)
 * @param baseDelay the backoff before the second attempt (doubled for each further one)
 * @param maxDelay the longest computed backoff
 * @param maxRetryAfter the longest {@code Retry-After} the client waits for
 */
public record RetryPolicy(
    int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxRetryAfter) {

  /** Waits; tests inject one that records the waits instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    /** Blocks for the duration (or returns early when interrupted, throwing). */
    void sleep(Duration duration) throws InterruptedException;

    /** The real thing: {@link Thread#sleep(Duration)}. */
    static Sleeper system() {
      return Thread::sleep;
    }
  }

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    Objects.requireNonNull(baseDelay, "baseDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0 || maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException(
          "need 0 <= baseDelay <= maxDelay and maxRetryAfter >= 0, got " + baseDelay + ", "
              + maxDelay + ", " + maxRetryAfter);
    }
  }

  /** 4 attempts, backoff 250 ms doubling up to 8 s, Retry-After honoured up to 2 minutes. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(8), Duration.ofMinutes(2));
  }

  /** A single attempt, never retried. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
  }

  /** Whether an HTTP status is worth retrying: 408, 429 and 5xx except 501 and 505. */
  static boolean isRetryableStatus(int status) {
    return status == 408 || status == 429 || (status >= 500 && status <= 599 && status != 501
        && status != 505);
  }

  /**
   * The wait before the next attempt after {@code failedAttempts} attempts failed, or empty when no
   * further attempt is allowed (attempts used up, or a Retry-After beyond {@code maxRetryAfter}).
   *
   * @param random a number in [0, 1) for the jitter
   */
  Optional<Duration> delayAfter(int failedAttempts, Optional<Duration> retryAfter, double random) {
    if (failedAttempts >= maxAttempts) {
      return Optional.empty();
    }
    if (retryAfter.isPresent()) {
      Duration wait = retryAfter.get().isNegative() ? Duration.ZERO : retryAfter.get();
      return wait.compareTo(maxRetryAfter) > 0 ? Optional.empty() : Optional.of(wait);
    }
    return Optional.of(backoff(failedAttempts, random));
  }

  /** Exponential backoff with "equal jitter": between half and all of min(max, base * 2^(n-1)). */
  Duration backoff(int failedAttempts, double random) {
    int exponent = Math.min(Math.max(failedAttempts - 1, 0), 40);
    double uncapped = baseDelay.toMillis() * Math.pow(2, exponent);
    long cap = (long) Math.min(maxDelay.toMillis(), uncapped);
    double jitter = Math.min(Math.max(random, 0.0), 1.0);
    return Duration.ofMillis(cap / 2 + Math.round(jitter * (cap - cap / 2)));
  }

  /**
   * Parses a {@code Retry-After} value: delay-seconds or an HTTP-date (relative to {@code now}).
   * Empty for a missing or unparseable value.
   */
  static Optional<Duration> parseRetryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String text = value.trim();
    if (text.chars().allMatch(Character::isDigit)) {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
      } catch (NumberFormatException tooLong) {
        return Optional.of(Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L));
      }
    }
    try {
      Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
