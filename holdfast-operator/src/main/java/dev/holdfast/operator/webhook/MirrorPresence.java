package dev.holdfast.operator.webhook;

import dev.holdfast.oci.mirror.Candidate;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.operator.cluster.MirrorResolver;
import dev.holdfast.operator.copy.RegistryAccess;
import dev.holdfast.operator.policy.Policies;
import dev.holdfast.operator.policy.Policy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For the {@code Redirect} rewrite mode: whether the first mirror of a source's redirect rule holds
 * the image, asked with a manifest HEAD in the background and remembered (a confirmation for ten
 * minutes, an absence for one), so that the webhook answers from memory. A stale confirmation is
 * still used while it is asked again.
 */
public final class MirrorPresence implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MirrorPresence.class);
  static final Duration PRESENT = Duration.ofMinutes(10);
  static final Duration ABSENT = Duration.ofMinutes(1);

  private record Key(String policy, long generation, String source) {}

  private record Known(Optional<ImageReference> mirror, Instant at) {}

  private final RegistryAccess access;
  private final Policies policies;
  private final MirrorResolver resolver;
  private final Clock clock;
  private final Map<Key, Known> known = new ConcurrentHashMap<>();
  private final Map<Key, Boolean> asking = new ConcurrentHashMap<>();
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Semaphore concurrent = new Semaphore(8);

  public MirrorPresence(RegistryAccess access, Policies policies, MirrorResolver resolver, Clock clock) {
    this.access = access;
    this.policies = policies;
    this.resolver = resolver;
    this.clock = clock;
  }

  /** The confirmed mirror location of {@code source}, from memory; asks in the background when it does not know. */
  public Optional<ImageReference> confirmed(Policy policy, ImageReference source) {
    Key key = key(policy, source);
    Known entry = known.get(key);
    Instant now = clock.instant();
    if (entry == null || entry.at().plus(entry.mirror().isPresent() ? PRESENT : ABSENT).isBefore(now)) {
      check(policy, source);
    }
    return entry == null ? Optional.empty() : entry.mirror();
  }

  /** Asks, in the background, whether the mirror holds {@code source} (once at a time per source). */
  public void check(Policy policy, ImageReference source) {
    Key key = key(policy, source);
    if (asking.putIfAbsent(key, Boolean.TRUE) != null) {
      return;
    }
    executor.submit(() -> {
      try {
        concurrent.acquire();
        try {
          known.put(key, new Known(ask(policy, source), clock.instant()));
        } finally {
          concurrent.release();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        asking.remove(key);
      }
    });
  }

  private Optional<ImageReference> ask(Policy policy, ImageReference source) {
    if (!(resolver.rulesFor(policy) instanceof MirrorResolver.Result.Resolved(var rules, var origins))) {
      return Optional.empty();
    }
    Optional<ImageReference> mirror = rules.resolve(source).candidates().stream()
        .filter(Candidate::mirror).map(Candidate::reference).findFirst();
    if (mirror.isEmpty()) {
      return Optional.empty();
    }
    try (RegistryClient client = access.client(policy, policies.credentials(policy), List.of(), rules,
        List.of(source), "holdfast-operator")) {
      boolean present = client.headManifest(mirror.get()).isPresent();
      LOG.debug("Mirror {} of {} {}", mirror.get(), source, present ? "holds it" : "lacks it");
      return present ? mirror : Optional.empty();
    } catch (RuntimeException e) {
      LOG.info("Cannot ask mirror {} for {}: {}", mirror.get(), source, e.getMessage());
      return Optional.empty();
    }
  }

  private static Key key(Policy policy, ImageReference source) {
    return new Key(policy.name(), policy.generation(), source.toString());
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
