package dev.holdfast.operator.copy;

import dev.holdfast.oci.copy.CopyEngine;
import dev.holdfast.oci.copy.CopyOptions;
import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.CopyResult;
import dev.holdfast.oci.copy.CopyVerifier;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.copy.MirroredSources;
import dev.holdfast.oci.manifest.Platform;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.operator.api.SecretReference;
import dev.holdfast.operator.metrics.OperatorMetrics;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.RegistryCredentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs copy jobs in the background, so that no reconcile waits for a registry: copy through the
 * library's engine (every platform, by digest, through the policy's redirects), then read the copy
 * back by digest at the destination. At most {@code maxConcurrent} jobs run at once. When one ends,
 * its outcome waits here until the ImageCopy's reconcile takes it, and {@code done} hears the
 * ImageCopy's name so that it is reconciled.
 *
 * <p>Each job has its own registry client, with the destination's push credentials and the source
 * credentials of the pull secrets its workloads named: one tenant's credentials never serve another
 * tenant's copy.
 */
public final class CopyService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CopyService.class);

  /**
   * One copy to make.
   *
   * @param name the ImageCopy's name
   * @param destination where the copy goes (the source's tag, and its digest when it has one)
   */
  public record Job(String name, ImageReference source, ImageReference destination, Policy policy,
      RegistryCredentials credentials, List<SecretReference> pullSecrets, MirrorRules rules) {}

  /** Makes the service once the listener for finished jobs exists (the ImageCopy controller's). */
  @FunctionalInterface
  public interface Factory {
    CopyService create(Consumer<String> done);
  }

  private final RegistryAccess access;
  private final SourceAccess sourceAccess;
  private final Clock clock;
  private final OperatorMetrics metrics;
  private final Consumer<String> done;
  private final Semaphore slots;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Optional<CopyOutcome>> jobs = new ConcurrentHashMap<>();

  public CopyService(RegistryAccess access, int maxConcurrent, Clock clock, OperatorMetrics metrics,
      Consumer<String> done) {
    this.access = access;
    this.sourceAccess = new SourceAccess(access);
    this.clock = clock;
    this.metrics = metrics;
    this.done = done;
    this.slots = new Semaphore(maxConcurrent);
  }

  /** Whether a job for that ImageCopy runs (or waits for a slot). */
  public boolean isRunning(String name) {
    Optional<CopyOutcome> job = jobs.get(name);
    return job != null && job.isEmpty();
  }

  /** The outcome of that ImageCopy's finished job, removed from here; empty when there is none. */
  public Optional<CopyOutcome> takeOutcome(String name) {
    Optional<CopyOutcome> outcome = jobs.get(name);
    if (outcome == null || outcome.isEmpty()) {
      return Optional.empty();
    }
    jobs.remove(name, outcome);
    return outcome;
  }

  /**
   * Starts checking, in the background, whether the source at {@code place} is still private and
   * which namespaces of {@code pullSecrets} (but those in {@code skip}) can read it on their own; the
   * outcome is a {@link CopyOutcome.Granted}. Returns whether it started (a job for the ImageCopy may
   * already be running).
   */
  public boolean startAccessCheck(String name, Policy policy, RegistryCredentials credentials, MirrorRules rules,
      ImageReference place, List<SecretReference> pullSecrets, Set<String> skip) {
    if (jobs.putIfAbsent(name, Optional.empty()) != null) {
      return false;
    }
    executor.submit(() -> {
      SourceAccess.Grants grants;
      try {
        grants = sourceAccess.check(policy, credentials, rules, place, pullSecrets, skip);
      } catch (RuntimeException e) { // not shown readable: refuse the namespaces until the next check
        LOG.info("Access check of {} failed: {}", place, describe(e));
        grants = SourceAccess.Grants.noneReadable(pullSecrets, skip);
      }
      jobs.put(name, Optional.of(new CopyOutcome.Granted(grants, clock.instant())));
      done.accept(name);
    });
    return true;
  }

  /** Starts a job unless one for the same ImageCopy runs or waits to be taken; returns whether it started. */
  public boolean start(Job job) {
    if (jobs.putIfAbsent(job.name(), Optional.empty()) != null) {
      return false;
    }
    executor.submit(() -> {
      CopyOutcome outcome;
      try {
        slots.acquire();
        try {
          outcome = run(job);
        } finally {
          slots.release();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        jobs.remove(job.name());
        return;
      } catch (RuntimeException e) {
        outcome = new CopyOutcome.Failed(CopyOutcome.reasonFor(e), describe(e), clock.instant(), Duration.ZERO);
      }
      jobs.put(job.name(), Optional.of(outcome));
      done.accept(job.name());
    });
    return true;
  }

  private CopyOutcome run(Job job) {
    Instant started = clock.instant();
    MirroredSources sources = MirroredSources.of(job.rules());
    try (RegistryClient registry = access.client(job.policy(), job.credentials(), job.pullSecrets(), job.rules(),
            List.of(job.source()), "holdfast-operator");
        CopyEngine engine = CopyEngine.builder(registry).build()) {
      CopyRequest request = sources.request(job.source(), new ImageLocation.Registry(job.destination()),
          CopyOptions.defaults());
      CopyResult result = engine.copy(request);
      Digest digest;
      switch (result) {
        case CopyResult.Copied copied -> digest = copied.digest();
        case CopyResult.AlreadyPresent present -> digest = present.digest();
        case CopyResult.Failed failed -> {
          CopyOutcome.Failed outcome = CopyOutcome.of(failed, clock.instant());
          record(job, outcome.reason(), Duration.between(started, clock.instant()), failed.stats().bytes());
          LOG.info("Copy of {} failed: {}", job.source(), outcome.message());
          return outcome;
        }
      }
      ImageReference copy = job.destination().withDigest(digest);
      CopyVerifier.Verified verified = new CopyVerifier(registry).verify(copy);
      Duration elapsed = Duration.between(started, clock.instant());
      record(job, "Verified", elapsed, result.stats().bytes());
      LOG.info("Copied {} to {} and verified it ({} bytes moved, {} ms)", job.source(), copy,
          result.stats().bytes(), elapsed.toMillis());
      ImageReference readFrom = result.servedBy()
          .filter(ImageLocation.Registry.class::isInstance).map(l -> ((ImageLocation.Registry) l).reference())
          .orElse(job.source()).withDigest(digest);
      SourceAccess.Grants grants = sourceAccess.check(job.policy(), job.credentials(), job.rules(), readFrom,
          job.pullSecrets(), Set.of());
      return new CopyOutcome.Verified(copy.toString(), digest.toString(),
          verified.platforms().stream().map(Platform::toString).toList(), verified.size(),
          result.servedBy().map(CopyService::location).orElse(job.source().toString()), clock.instant(),
          result.stats().bytes(), elapsed, grants);
    } catch (RuntimeException e) {
      String reason = CopyOutcome.reasonFor(e);
      record(job, reason, Duration.between(started, clock.instant()), 0);
      LOG.info("Copy of {} failed: {}", job.source(), describe(e));
      return new CopyOutcome.Failed(reason, describe(e), clock.instant(), Duration.between(started, clock.instant()));
    }
  }

  private static String location(ImageLocation location) {
    return location instanceof ImageLocation.Registry registry ? registry.reference().toString() : location.toString();
  }

  private void record(Job job, String reason, Duration elapsed, long bytes) {
    String registry = job.destination().registry();
    metrics.copied(reason.equals("Verified") ? "verified" : "failed", registry, elapsed, bytes);
    metrics.registryOutcome(job.source().registry(), reason);
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Stops the running jobs; their ImageCopies are copied again by the next leader. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
