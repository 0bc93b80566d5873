package dev.holdfast.oci.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The waits registries asked for: after an HTTP 429 or 503 with {@code Retry-After}, no request goes
 * to that registry until the wait is over, from any call of any {@link RegistryClient} sharing this
 * instance. By default each client has its own; a long-running process that makes a client per job
 * (the operator) shares one, so that a registry's wait holds for all of them. A wait longer than
 * {@link #MAX_HOLD} is held for {@code MAX_HOLD}. Thread-safe.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9110#name-retry-after">RFC 9110, Retry-After</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6585#section-4">RFC 6585, 429 Too Many Requests</a>
 */
public final class RetryAfterHolds {
  /** The longest wait held: a registry asking for more is asked again after this. */
  public static final Duration MAX_HOLD = Duration.ofHours(1);

  private final Map<String, Instant> until = new ConcurrentHashMap<>();

  private RetryAfterHolds() {}

  /** An empty set of holds. */
  public static RetryAfterHolds create() {
    return new RetryAfterHolds();
  }

  /**
   * Holds {@code registry} for {@code wait} from {@code now} (at most {@link #MAX_HOLD}); an existing
   * longer hold stays. Returns the end of this wait (the registry may be held longer).
   */
  Instant hold(String registry, Instant now, Duration wait) {
    Duration bounded = wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_HOLD) > 0 ? MAX_HOLD : wait;
    Instant end = now.plus(bounded);
    until.merge(registry, end, (old, fresh) -> fresh.isAfter(old) ? fresh : old);
    return end;
  }

  /** Until when {@code registry} is held, if it is held after {@code now}. */
  public Optional<Instant> heldUntil(String registry, Instant now) {
    Instant end = until.get(registry);
    if (end == null) {
      return Optional.empty();
    }
    if (!end.isAfter(now)) {
      until.remove(registry, end);
      return Optional.empty();
    }
    return Optional.of(end);
  }
}
