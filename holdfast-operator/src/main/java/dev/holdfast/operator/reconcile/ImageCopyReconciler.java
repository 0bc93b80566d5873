package dev.holdfast.operator.reconcile;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImageCopyStatus;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.operator.cluster.MirrorResolver;
import dev.holdfast.operator.upstream.UpstreamMonitor;
import dev.holdfast.operator.copy.CopyOutcome;
import dev.holdfast.operator.copy.CopyService;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.events.EventRecorder;
import dev.holdfast.operator.policy.CredentialSecrets;
import dev.holdfast.operator.policy.Policies;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.RegistryCredentials;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keeps each ImageCopy's copy made and verified: starts a copy job when there is no verified copy
 * where the policy wants it, writes the job's outcome into the status, and retries failures with a
 * back-off. When an ImageCopy is Ready, the workloads that name its source are reconciled, so that
 * they can be pointed at it. Never waits for a registry: jobs run in the {@link CopyService}.
 */
@ControllerConfiguration(name = "imagecopy", generationAwareEventProcessing = false,
    maxReconciliationInterval = @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
public final class ImageCopyReconciler implements Reconciler<ImageCopy> {
  /** How often the namespaces' access to a private source is checked again. */
  static final Duration ACCESS_RECHECK = Duration.ofMinutes(30);
  private final ImageCopies copies;
  private final Policies policies;
  private final Workloads workloads;
  private final CopyService copyService;
  private final EventRecorder events;
  private final Duration retryBase;
  private final Duration retryCap;
  private final Clock clock;
  private final MirrorResolver mirrors;
  private final UpkeepParts upkeepParts;
  private volatile java.util.function.Consumer<String> nodeMirrors = policy -> { };
  private final CopyUpkeep upkeep;
  private final SimpleInboundEventSource<ImageCopy> jobDone = new SimpleInboundEventSource<>("copy-jobs");
  /**
   * When each copy that failed may be tried again, by name, kept here as well as in its status: a
   * reconcile may read the ImageCopy from the cache before its last failure has reached it there, and
   * must not retry early for that (a destination outage showed retries 0-1 s apart where 4 s was due).
   */
  private final Map<String, RetryAt> retries = new ConcurrentHashMap<>();

  private record RetryAt(long generation, Instant at) {}

  public ImageCopyReconciler(ImageCopies copies, Policies policies, Workloads workloads, CopyService.Factory jobs,
      UpkeepFactory upkeep, MirrorResolver mirrors, EventRecorder events, Duration retryBase, Duration retryCap,
      Clock clock) {
    this.mirrors = mirrors;
    this.upkeepParts = upkeep.create(name -> jobDone.propagateEvent(new ResourceID(name)));
    this.upkeep = upkeepParts.upkeep();
    this.copies = copies;
    this.policies = policies;
    this.workloads = workloads;
    this.copyService = jobs.create(name -> jobDone.propagateEvent(new ResourceID(name)));
    this.events = events;
    this.retryBase = retryBase;
    this.retryCap = retryCap;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, ImageCopy>> prepareEventSources(EventSourceContext<ImageCopy> context) {
    copies.use(context.getPrimaryCache());
    return List.of(jobDone);
  }

  @Override
  public UpdateControl<ImageCopy> reconcile(ImageCopy copy, Context<ImageCopy> context) {
    String name = copy.getMetadata().getName();
    Instant now = clock.instant();
    ImageReference source;
    try {
      source = ImageReference.parse(copy.getSpec().getSource());
    } catch (InvalidReferenceException e) {
      return failedBeforeCopy(copy, "InvalidSource", "spec.source: " + e.getMessage(), now);
    }
    int usedBy = workloads.usedBy(source);
    Optional<CopyOutcome> outcome = copyService.takeOutcome(name);
    if (outcome.isPresent()) {
      return recordOutcome(copy, outcome.get(), usedBy);
    }
    if (copyService.isRunning(name)) {
      return usedByChanged(copy, usedBy) ? patch(copy, withUsedBy(copy, usedBy)) : UpdateControl.noUpdate();
    }
    Optional<Policy> policy = policies.get(copy.getSpec().getPolicy());
    if (policy.isEmpty()) {
      return failedBeforeCopy(copy, "PolicyNotFound",
          "no valid ImagePolicy " + copy.getSpec().getPolicy() + " is in force", now);
    }
    ImageReference destination;
    try {
      destination = policy.get().destinationFor(source);
    } catch (IllegalArgumentException e) {
      return failedBeforeCopy(copy, "InvalidDestination", e.getMessage(), now);
    }
    if (CopyStatus.isReady(copy) && copies.currentCopy(policy.get(), source).isPresent()) {
      workloads.reconcileUsersOf(source);
      return upkeep(copy, policy.get(), source, destination, usedBy, now);
    }
    Optional<Duration> wait = waitBeforeRetry(copy, now);
    if (wait.isPresent()) {
      return UpdateControl.<ImageCopy>noUpdate().rescheduleAfter(wait.get());
    }
    RegistryCredentials credentials;
    try {
      credentials = policies.credentials(policy.get());
    } catch (CredentialSecrets.InvalidCredentialsException e) {
      return failedBeforeCopy(copy, "InvalidCredentials", e.getMessage(), now);
    }
    if (!(mirrors.rulesFor(policy.get()) instanceof MirrorResolver.Result.Resolved(var rules, var origins))) {
      // never fall back to a source the rules might block: wait, and try again when the cluster changes
      return failedBeforeCopy(copy, "MirrorsUnresolved",
          ((MirrorResolver.Result.Unresolved) mirrors.rulesFor(policy.get())).reason(), now);
    }
    copyService.start(new CopyService.Job(name, source, destination, policy.get(), credentials,
        copy.getSpec().getPullSecrets(), rules));
    return patch(copy, CopyStatus.copying(copy, usedBy, now));
  }

  // A verified copy over time: upstream checks, a followed tag, lastUsedAt, retention.
  private UpdateControl<ImageCopy> upkeep(ImageCopy copy, Policy policy, ImageReference source,
      ImageReference destination, int usedBy, Instant now) {
    RegistryCredentials credentials;
    MirrorRules rules;
    try {
      credentials = policies.credentials(policy);
    } catch (CredentialSecrets.InvalidCredentialsException e) {
      return usedByChanged(copy, usedBy) ? patch(copy, withUsedBy(copy, usedBy)) : UpdateControl.noUpdate();
    }
    if (mirrors.rulesFor(policy) instanceof MirrorResolver.Result.Resolved(var resolved, var origins)) {
      rules = resolved;
    } else {
      return usedByChanged(copy, usedBy) ? patch(copy, withUsedBy(copy, usedBy)) : UpdateControl.noUpdate();
    }
    if (policy.spec().rewrite() == dev.holdfast.operator.api.ImagePolicySpec.RewriteMode.NodeMirror) {
      nodeMirrors.accept(policy.name());
    }
    Optional<Set<String>> accessCheck = accessCheckDue(copy, now);
    if (accessCheck.isPresent()) {
      copyService.startAccessCheck(copy.getMetadata().getName(), policy, credentials, rules,
          readFrom(copy, source), copy.getSpec().getPullSecrets(), accessCheck.get());
      return usedByChanged(copy, usedBy) ? patch(copy, withUsedBy(copy, usedBy)) : UpdateControl.noUpdate();
    }
    return switch (upkeep.ready(copy, policy, source, usedBy, credentials, rules, now)) {
      case CopyUpkeep.Next.Status(var status) -> status.map(s -> patch(copy, s)).orElse(UpdateControl.noUpdate());
      case CopyUpkeep.Next.Follow(var status) -> {
        copyService.start(new CopyService.Job(copy.getMetadata().getName(), source, destination, policy, credentials,
            copy.getSpec().getPullSecrets(), rules));
        yield patch(copy, status);
      }
      case CopyUpkeep.Next.Retired retired -> UpdateControl.noUpdate();
    };
  }

  private UpdateControl<ImageCopy> recordOutcome(ImageCopy copy, CopyOutcome outcome, int usedBy) {
    switch (outcome) {
      case CopyOutcome.Verified verified -> {
        retries.remove(copy.getMetadata().getName());
        events.normal(copy, "Copied", "copied " + copy.getSpec().getSource() + " to " + verified.copy()
            + " and read it back by digest");
        if (!verified.grants().denied().isEmpty()) {
          events.warning(copy, "NotReadable", notReadable(List.copyOf(verified.grants().denied())));
        }
        return patch(copy, CopyStatus.verified(copy, verified, usedBy));
      }
      case CopyOutcome.Granted granted -> {
        ImageCopyStatus status = CopyStatus.accessChecked(copy, granted);
        status.setUsedBy(usedBy);
        List<String> before = copy.getStatus() == null || copy.getStatus().getUnreadableIn() == null ? List.of()
            : copy.getStatus().getUnreadableIn();
        List<String> refused = status.getUnreadableIn() == null ? List.of()
            : status.getUnreadableIn().stream().filter(n -> !before.contains(n)).toList();
        if (!refused.isEmpty()) {
          events.warning(copy, "NotReadable", notReadable(refused));
        }
        return patch(copy, status);
      }
      case CopyOutcome.Failed failed -> {
        events.warning(copy, failed.reason(), "copy of " + copy.getSpec().getSource() + " failed: "
            + failed.message());
        ImageCopyStatus status = CopyStatus.failed(copy, failed, usedBy);
        copy.setStatus(status);
        Duration wait = CopyStatus.backoff(copy, retryBase, retryCap).orElse(retryBase);
        retries.values().removeIf(r -> r.at().isBefore(failed.at()));
        retries.put(copy.getMetadata().getName(), new RetryAt(generation(copy), failed.at().plus(wait)));
        return UpdateControl.patchStatus(copy).rescheduleAfter(wait);
      }
    }
  }

  /**
   * Which namespaces an access check of the source may skip, when one is due: never checked (a copy
   * verified before access was recorded), a namespace with pull secrets that has not been checked,
   * or a private source whose last check is older than {@link #ACCESS_RECHECK} (a Secret may have
   * been changed or revoked).
   */
  private static Optional<Set<String>> accessCheckDue(ImageCopy copy, Instant now) {
    ImageCopyStatus status = copy.getStatus();
    if (status.getPrivateSource() == null || status.getAccessCheckedAt() == null) {
      return Optional.of(Set.of());
    }
    if (!status.getPrivateSource()) {
      return Optional.empty();
    }
    Set<String> unchecked = CopyStatus.uncheckedNamespaces(copy);
    if (!unchecked.isEmpty()) {
      Set<String> skip = new TreeSet<>();
      copy.getSpec().getPullSecrets().forEach(ref -> skip.add(ref.namespace()));
      skip.removeAll(unchecked);
      return Optional.of(skip);
    }
    try {
      return Instant.parse(status.getAccessCheckedAt()).plus(ACCESS_RECHECK).isAfter(now) ? Optional.empty()
          : Optional.of(Set.of());
    } catch (java.time.format.DateTimeParseException e) { // an edited status: check again
      return Optional.of(Set.of());
    }
  }

  // Where the copy was read from, by digest: the source, or the mirror that served it.
  private static ImageReference readFrom(ImageCopy copy, ImageReference source) {
    ImageCopyStatus status = copy.getStatus();
    try {
      ImageReference place = status.getServedFrom() == null ? source : ImageReference.parse(status.getServedFrom());
      return status.getDigest() == null ? place
          : place.withDigest(dev.holdfast.oci.reference.Digest.parse(status.getDigest()));
    } catch (IllegalArgumentException e) { // not a registry location
      return source;
    }
  }

  private static String notReadable(List<String> namespaces) {
    return "the source is private and the pull secrets of namespace(s) " + String.join(", ", namespaces)
        + " cannot read it: their workloads are not pointed at the copy (ImagePolicy sharePrivateImages shares it)";
  }

  private static long generation(ImageCopy copy) {
    Long generation = copy.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  private Optional<Duration> waitBeforeRetry(ImageCopy copy, Instant now) {
    Optional<Instant> last = CopyStatus.lastFailure(copy);
    Optional<Duration> backoff = CopyStatus.backoff(copy, retryBase, retryCap);
    Instant due = last.isEmpty() || backoff.isEmpty() ? now : last.get().plus(backoff.get());
    RetryAt recorded = retries.get(copy.getMetadata().getName());
    if (recorded != null && recorded.generation() == generation(copy) && recorded.at().isAfter(due)) {
      due = recorded.at(); // the status read is older than the last failure
    }
    Duration remaining = Duration.between(now, due);
    return remaining.isNegative() || remaining.isZero() ? Optional.empty() : Optional.of(remaining);
  }

  private UpdateControl<ImageCopy> failedBeforeCopy(ImageCopy copy, String reason, String message, Instant now) {
    ImageCopyStatus current = copy.getStatus();
    boolean same = current != null && Conditions.get(current.getConditions(), CopyStatus.READY)
        .map(c -> reason.equals(c.getReason()) && message.equals(c.getMessage())).orElse(false);
    if (same) {
      return UpdateControl.<ImageCopy>noUpdate().rescheduleAfter(retryCap);
    }
    events.warning(copy, reason, message);
    ImageCopyStatus status = current == null ? new ImageCopyStatus() : current;
    status.setConditions(Conditions.set(status.getConditions(), CopyStatus.READY, false, reason, message,
        copy.getMetadata().getGeneration() == null ? 0 : copy.getMetadata().getGeneration(), now));
    copy.setStatus(status);
    return UpdateControl.patchStatus(copy).rescheduleAfter(retryCap);
  }

  private static boolean usedByChanged(ImageCopy copy, int usedBy) {
    return copy.getStatus() == null || !Objects.equals(copy.getStatus().getUsedBy(), usedBy);
  }

  private static ImageCopyStatus withUsedBy(ImageCopy copy, int usedBy) {
    ImageCopyStatus status = copy.getStatus() == null ? new ImageCopyStatus() : copy.getStatus();
    status.setUsedBy(usedBy);
    return status;
  }

  private static UpdateControl<ImageCopy> patch(ImageCopy copy, ImageCopyStatus status) {
    copy.setStatus(status);
    return UpdateControl.patchStatus(copy);
  }

  /** Reconciles every ImageCopy without a verified copy (the cluster's mirrors or CAs changed). */
  public void retryUnverified() {
    copies.all().filter(c -> !CopyStatus.isReady(c))
        .forEach(c -> jobDone.propagateEvent(new ResourceID(c.getMetadata().getName())));
  }

  /** The upstream monitor and the upkeep that uses it, made once the listener for results exists. */
  public record UpkeepParts(UpstreamMonitor monitor, CopyUpkeep upkeep) {}

  /** Makes the {@link UpkeepParts}; {@code done} hears the name of a copy whose upstream check ended. */
  @FunctionalInterface
  public interface UpkeepFactory {
    UpkeepParts create(java.util.function.Consumer<String> done);
  }

  /** Hears the policy of every verified copy in NodeMirror mode, so that its node mirror sets are kept. */
  public void onNodeMirrorCopy(java.util.function.Consumer<String> listener) {
    this.nodeMirrors = listener;
  }

  /** Starts checking sources upstream (on the leader). */
  public void startUpstreamChecks() {
    upkeepParts.monitor().start();
  }

  /** Stops the copy jobs and the upstream checks. */
  public void close() {
    upkeepParts.monitor().close();
    copyService.close();
  }
}
