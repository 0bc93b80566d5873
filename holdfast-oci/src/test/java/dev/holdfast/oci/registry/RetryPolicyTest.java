package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RetryPolicyTest {

  private static final RetryPolicy POLICY =
      new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(1000), Duration.ofSeconds(30));

  @ParameterizedTest(name = "after {0} failures, random {1}: {2} ms")
  @CsvSource({
    // failures, random, expected ms: cap = min(1000, 100 * 2^(n-1)); delay = cap/2 + random * cap/2
    "1, 0.0, 50",
    "1, 1.0, 100",
    "2, 0.0, 100",
    "2, 0.5, 150",
    "3, 1.0, 400",
    "4, 0.0, 400",
    "5, 1.0, 1000",
    "40, 1.0, 1000",
    "99, 0.0, 500",
  })
  void backoffDoublesWithJitterUpToTheCap(int failures, double random, long expectedMillis) {
    assertThat(POLICY.backoff(failures, random)).isEqualTo(Duration.ofMillis(expectedMillis));
  }

  static Stream<Arguments> delays() {
    return Stream.of(
        // --- attempts left, no Retry-After: backoff
        Arguments.of(1, Optional.empty(), Optional.of(Duration.ofMillis(100))),
        Arguments.of(4, Optional.empty(), Optional.of(Duration.ofMillis(800))),
        // --- attempts used up
        Arguments.of(5, Optional.empty(), Optional.empty()),
        Arguments.of(5, Optional.of(Duration.ofSeconds(1)), Optional.empty()),
        // --- Retry-After wins over backoff, up to the limit
        Arguments.of(1, Optional.of(Duration.ofSeconds(7)), Optional.of(Duration.ofSeconds(7))),
        Arguments.of(1, Optional.of(Duration.ofSeconds(30)), Optional.of(Duration.ofSeconds(30))),
        Arguments.of(1, Optional.of(Duration.ofSeconds(31)), Optional.empty()),
        Arguments.of(1, Optional.of(Duration.ZERO), Optional.of(Duration.ZERO)));
  }

  @ParameterizedTest(name = "after {0} failures, Retry-After {1}: {2}")
  @MethodSource("delays")
  void delayAfterHonoursAttemptsAndRetryAfter(
      int failures, Optional<Duration> retryAfter, Optional<Duration> expected) {
    assertThat(POLICY.delayAfter(failures, retryAfter, 1.0)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "408, true", "429, true", "500, true", "502, true", "503, true", "504, true", "599, true",
    "501, false", "505, false", "400, false", "401, false", "403, false", "404, false", "200, false",
  })
  void retryableStatuses(int status, boolean retryable) {
    assertThat(RetryPolicy.isRetryableStatus(status)).isEqualTo(retryable);
  }

  static Stream<Arguments> retryAfterValues() {
    Instant now = Instant.parse("2026-11-20T10:00:00Z");
    return Stream.of(
        Arguments.of("3", now, Optional.of(Duration.ofSeconds(3))),
        Arguments.of(" 0 ", now, Optional.of(Duration.ZERO)),
        Arguments.of("Fri, 20 Nov 2026 10:00:42 GMT", now, Optional.of(Duration.ofSeconds(42))),
        Arguments.of("Fri, 20 Nov 2026 09:00:00 GMT", now, Optional.of(Duration.ZERO)),
        Arguments.of("99999999999999999999999", now, Optional.of(Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L))),
        Arguments.of("soon", now, Optional.empty()),
        Arguments.of("-5", now, Optional.empty()),
        Arguments.of("", now, Optional.empty()),
        Arguments.of(null, now, Optional.empty()));
  }

  @ParameterizedTest(name = "\"{0}\" -> {2}")
  @MethodSource("retryAfterValues")
  void parsesRetryAfter(String value, Instant now, Optional<Duration> expected) {
    assertThat(RetryPolicy.parseRetryAfter(value, now)).isEqualTo(expected);
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("maxAttempts must be at least 1, got 0");
    assertThatThrownBy(() -> new RetryPolicy(2, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ZERO))
        .hasMessageContaining("baseDelay <= maxDelay");
  }

  @Test
  void noneNeverRetries() {
    assertThat(RetryPolicy.none().delayAfter(1, Optional.empty(), 0.5)).isEmpty();
    assertThat(RetryPolicy.defaults().delayAfter(1, Optional.empty(), 0.0)).contains(Duration.ofMillis(125));
  }
}
