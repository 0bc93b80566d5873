package dev.holdfast.operator.upstream;

import dev.holdfast.oci.mirror.Candidate;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.DeniedException;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.registry.RetryPolicy;
import dev.holdfast.oci.registry.TooManyRequestsException;
import dev.holdfast.oci.registry.UnauthorizedException;
import dev.holdfast.operator.api.SecretReference;
import dev.holdfast.operator.copy.RegistryAccess;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.RegistryCredentials;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the sources of verified copies upstream with a manifest HEAD (never a GET where HEAD
 * answers), each once per interval and each registry within its budget ({@link CheckSchedule}), on
 * the leader. A check asks the places the copy was made from, in order (the mirrors, then the source
 * unless blocked), and reports what the first that answers says. Results wait here until the
 * ImageCopy's reconcile takes them; {@code done} hears the name.
 *
 * <p>A registry that answers 429 has not answered: nothing is reported, the registry gets nothing
 * more (from the checks, nor from any other client of the operator's {@link RegistryAccess}) until
 * its {@code Retry-After} is over, and the check is made again then, from the budget like any other.
 * A check never repeats a refused request on its own, so every manifest request it sends is one the
 * budget allowed.
 */
public final class UpstreamMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamMonitor.class);
  /**
   * How many checks run at once, each with its own client and connection. The budget spaces checks
   * over time, but a big inventory falling due together, a burst, or a tick late after a pause
   * dispatches many at once: they wait their turn here rather than open a connection each (and run
   * out of file descriptors). Eight checks of a second each are 28,800 an hour, more than any
   * registry's budget.
   */
  static final int CHECKS_IN_FLIGHT = 8;
  /**
   * Retries of connection errors and 5xx as usual, but a 429 fails the check at once (no wait is
   * short enough to be slept inside the call): the schedule waits instead.
   */
  static final RetryPolicy CHECK_RETRIES = new RetryPolicy(RetryPolicy.defaults().maxAttempts(),
      RetryPolicy.defaults().baseDelay(), RetryPolicy.defaults().maxDelay(), Duration.ZERO);
  /** The wait after a 429 that named none. */
  static final Duration RATE_LIMITED_WAIT = Duration.ofMinutes(1);

  /** What a check needs: where the source is read from, with which credentials. */
  public record Check(String name, ImageReference source, Policy policy, RegistryCredentials credentials,
      List<SecretReference> pullSecrets, MirrorRules rules) {}

  private final RegistryAccess access;
  private final Clock clock;
  private final Consumer<String> done;
  private final CheckSchedule schedule;
  private final Map<String, Check> pending = new ConcurrentHashMap<>();
  private final Map<String, UpstreamResult> results = new ConcurrentHashMap<>();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("holdfast-upstream").daemon().factory());
  private final ExecutorService checks = Executors.newFixedThreadPool(CHECKS_IN_FLIGHT,
      Thread.ofVirtual().name("holdfast-upstream-check-", 0).factory());
  private final MeterRegistry meters;

  public UpstreamMonitor(RegistryAccess access, Function<String, Budget> budgets, Clock clock, MeterRegistry meters,
      Consumer<String> done) {
    this.access = access;
    this.clock = clock;
    this.done = done;
    this.meters = meters;
    this.schedule = new CheckSchedule(budgets);
  }

  /** Starts checking, once a second, whatever is due. */
  public void start() {
    ticker.scheduleWithFixedDelay(this::dispatchDue, 1, 1, TimeUnit.SECONDS);
  }

  /** Plans the check of a copy at {@code due} (replacing an earlier plan). */
  public void plan(Check check, Instant due) {
    pending.put(check.name(), check);
    ticker.execute(() -> schedule.plan(check.name(), check.source().registry(), due));
  }

  /** Whether a check of {@code name} is planned or running. */
  public boolean isPlanned(String name) {
    return pending.containsKey(name);
  }

  /** Forgets a copy (deleted, or no longer Ready). */
  public void forget(String name) {
    pending.remove(name);
    ticker.execute(() -> schedule.forget(name));
  }

  /** The result of a finished check, removed from here. */
  public Optional<UpstreamResult> takeResult(String name) {
    return Optional.ofNullable(results.remove(name));
  }

  /**
   * Runs the checks due now, as the ticker does each second, and returns once they are dispatched;
   * exposed so that a test with a hand-driven clock can drive it. The schedule is the ticker's alone,
   * so this waits its turn there (behind the plans made before it).
   */
  public void tick() {
    try {
      ticker.submit(this::dispatchDue).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private void dispatchDue() {
    try {
      Instant now = clock.instant();
      for (String name : schedule.takeDue(now)) {
        Check check = pending.get(name);
        if (check != null) {
          checks.execute(() -> run(check, now));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Upstream checks: {}", e.toString());
    }
  }

  /**
   * Checks one source, dispatched at {@code at}, on the calling thread; the result is kept for the
   * reconcile. Empty when the registry rate-limited the check: it is planned again after the wait.
   */
  Optional<UpstreamResult> run(Check check, Instant at) {
    UpstreamResult result;
    try {
      result = ask(check, at);
    } catch (RateLimited limited) {
      count(check, "RateLimited");
      Instant until = clock.instant().plus(limited.wait);
      String registry = check.source().registry();
      LOG.info("Upstream check of {}: {} asked to wait {} s (HTTP 429); checked again at {}", check.source(),
          limited.registry, limited.wait.toSeconds(), until);
      ticker.execute(() -> {
        schedule.hold(registry, until, clock.instant());
        if (pending.get(check.name()) == check) {
          schedule.plan(check.name(), registry, until);
        }
      });
      return Optional.empty();
    }
    count(check, result.state());
    pending.remove(check.name());
    results.put(check.name(), result);
    done.accept(check.name());
    return Optional.of(result);
  }

  private void count(Check check, String state) {
    Counter.builder("holdfast.upstream.checks").description("Upstream manifest checks, by registry and outcome")
        .tag("registry", check.source().registry()).tag("state", state).register(meters).increment();
  }

  /** A place answered 429: no answer, the check waits. */
  private static final class RateLimited extends RuntimeException {
    final String registry;
    final Duration wait;

    RateLimited(String registry, Duration wait) {
      super(null, null, false, false);
      this.registry = registry;
      this.wait = wait;
    }
  }

  private UpstreamResult ask(Check check, Instant now) {
    List<ImageReference> places = check.rules().resolve(check.source()).candidates().stream()
        .map(Candidate::reference).toList();
    if (places.isEmpty()) {
      return new UpstreamResult(UpstreamResult.UNREACHABLE, Optional.empty(), now,
          "no place may serve " + check.source() + " (its source is blocked and no mirror serves it)");
    }
    String lastProblem = "";
    String lastState = UpstreamResult.UNREACHABLE;
    RateLimited limited = null;
    try (RegistryClient client = access.client(check.policy(), check.credentials(), check.pullSecrets(),
        check.rules(), List.of(check.source()), "holdfast-operator", CHECK_RETRIES)) {
      for (ImageReference place : places) {
        try {
          var descriptor = client.headManifest(place);
          if (descriptor.isPresent()) {
            return new UpstreamResult(UpstreamResult.AVAILABLE, Optional.of(descriptor.get().digest().toString()),
                now, place + " serves it");
          }
          lastState = UpstreamResult.NOT_FOUND;
          lastProblem = place + " no longer has it";
        } catch (TooManyRequestsException e) {
          Duration wait = e.retryAfter().filter(d -> !d.isZero()).orElse(RATE_LIMITED_WAIT);
          if (limited == null || wait.compareTo(limited.wait) > 0) {
            limited = new RateLimited(place.registry(), wait);
          }
        } catch (UnauthorizedException | DeniedException e) {
          lastState = UpstreamResult.UNAUTHORIZED;
          lastProblem = e.getMessage();
        } catch (RuntimeException e) {
          lastState = UpstreamResult.UNREACHABLE;
          lastProblem = e.getMessage();
        }
      }
    } catch (RuntimeException e) {
      return new UpstreamResult(UpstreamResult.UNREACHABLE, Optional.empty(), now, String.valueOf(e.getMessage()));
    }
    if (limited != null) {
      throw limited; // a place did not answer: no verdict until it does
    }
    return new UpstreamResult(lastState, Optional.empty(), now, lastProblem);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    checks.shutdownNow();
  }
}
