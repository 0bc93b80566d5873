package dev.holdfast.operator.reconcile;

import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.cluster.ClusterTrust;
import dev.holdfast.operator.cluster.MirrorResolver;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.api.ImagePolicyStatus;
import dev.holdfast.operator.events.EventRecorder;
import dev.holdfast.operator.policy.CredentialSecrets;
import dev.holdfast.operator.policy.Policies;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.PolicyProblem;
import dev.holdfast.operator.policy.PolicyStatus;
import dev.holdfast.operator.policy.PolicyValidation;
import dev.holdfast.operator.policy.RegistryCredentials;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Validates each ImagePolicy and keeps its status: conditions, totals over its ImageCopies (which
 * wake it when they change) and up to 20 failing images. When a policy's spec or credentials change,
 * the workloads and pull secrets are reconciled again. Credentials are re-read every minute, so a
 * rotated Secret reaches the namespaces without a restart.
 */
@ControllerConfiguration(name = "imagepolicy", generationAwareEventProcessing = false)
public final class ImagePolicyReconciler implements Reconciler<ImagePolicy> {
  private static final Duration CREDENTIALS_CHECK = Duration.ofMinutes(1);

  private final Policies policies;
  private final Workloads workloads;
  private final PullSecretReconciler pullSecrets;
  private final InvalidImages invalidImages;
  private final EventRecorder events;
  private final MirrorResolver mirrors;
  private final Supplier<ClusterTrust> trust;
  private final Clock clock;
  private java.util.function.Consumer<String> specChanged = name -> { };
  private final SimpleInboundEventSource<ImagePolicy> trigger = new SimpleInboundEventSource<>("invalid-images");
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private volatile InformerEventSource<ImageCopy, ImagePolicy> copies;

  public ImagePolicyReconciler(Policies policies, Workloads workloads, PullSecretReconciler pullSecrets,
      InvalidImages invalidImages, EventRecorder events, MirrorResolver mirrors, Supplier<ClusterTrust> trust,
      Clock clock) {
    this.mirrors = mirrors;
    this.trust = trust;
    this.policies = policies;
    this.workloads = workloads;
    this.pullSecrets = pullSecrets;
    this.invalidImages = invalidImages;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, ImagePolicy>> prepareEventSources(EventSourceContext<ImagePolicy> context) {
    policies.use(context.getPrimaryCache());
    copies = new InformerEventSource<>(InformerEventSourceConfiguration.from(ImageCopy.class, ImagePolicy.class)
        .withSecondaryToPrimaryMapper(copy -> Set.of(new ResourceID(copy.getSpec().getPolicy())))
        .build(), context);
    return List.of(copies, trigger);
  }

  /** Hears the name of a policy whose spec (or credentials) changed, and of every policy once at start. */
  public void onSpecChanged(java.util.function.Consumer<String> listener) {
    this.specChanged = listener;
  }

  /** Reconciles every policy again (the cluster's mirrors or CAs changed). */
  public void refreshAll() {
    policies.all().stream().filter(p -> !p.isImplicit()).forEach(p -> refresh(p.name()));
  }

  /** Reconciles a policy again (its workloads' invalid images changed). */
  public void refresh(String policy) {
    trigger.propagateEvent(new ResourceID(policy));
  }

  @Override
  public UpdateControl<ImagePolicy> reconcile(ImagePolicy object, Context<ImagePolicy> context) {
    String name = object.getMetadata().getName();
    List<PolicyProblem> problems = PolicyValidation.problems(name, object.getSpec());
    Optional<Policy> policy = policies.parse(object);
    Optional<String> credentialsProblem = Optional.empty();
    String fingerprint = "invalid";
    if (policy.isPresent()) {
      try {
        RegistryCredentials credentials = policies.credentials(policy.get());
        fingerprint = object.getMetadata().getGeneration() + "/" + credentials.hashCode();
      } catch (CredentialSecrets.InvalidCredentialsException e) {
        credentialsProblem = Optional.of(e.getMessage());
      }
    }
    String before = seen.put(name, fingerprint);
    if (!fingerprint.equals(before)) {
      if (!problems.isEmpty()) {
        events.warning(object, "InvalidSpec", String.join("; ", problems.stream().map(Object::toString).toList()));
      }
      workloads.reconcileAll();
      pullSecrets.reconcilePolicy(name);
      specChanged.accept(name);
    }
    invalidImages.prune(name, workloads::exists);
    List<ImageCopy> ofPolicy = copies.list(c -> name.equals(c.getSpec().getPolicy())).toList();
    ImagePolicyStatus status = PolicyStatus.of(object, problems, credentialsProblem, ofPolicy,
        invalidImages.of(name), clock.instant());
    long generation = object.getMetadata().getGeneration() == null ? 0 : object.getMetadata().getGeneration();
    switch (policy.map(mirrors::rulesFor).orElse(null)) {
      case MirrorResolver.Result.Resolved resolved -> status.setConditions(Conditions.set(status.getConditions(),
          "MirrorsResolved", true, "Resolved", resolved.origins().isEmpty() ? "no mirror configuration"
              : "from " + String.join(", ", resolved.origins()), generation, clock.instant()));
      case MirrorResolver.Result.Unresolved unresolved -> status.setConditions(Conditions.set(
          status.getConditions(), "MirrorsResolved", false, "MirrorsUnresolved", unresolved.reason(), generation,
          clock.instant()));
      case null -> { }
    }
    List<String> skipped = trust.get().skipped();
    if (skipped.isEmpty()) {
      status.setConditions(Conditions.set(status.getConditions(), "TrustBundles", true, "Valid", "", generation,
          clock.instant()));
    } else {
      String message = "skipped: " + String.join("; ", skipped);
      events.warning(object, "InvalidCertificateSkipped", message);
      status.setConditions(Conditions.set(status.getConditions(), "TrustBundles", false, "InvalidBlocksSkipped",
          message, generation, clock.instant()));
    }
    if (sameStatus(object.getStatus(), status)) {
      return UpdateControl.<ImagePolicy>noUpdate().rescheduleAfter(CREDENTIALS_CHECK);
    }
    object.setStatus(status);
    return UpdateControl.patchStatus(object).rescheduleAfter(CREDENTIALS_CHECK);
  }

  private static boolean sameStatus(ImagePolicyStatus a, ImagePolicyStatus b) {
    return a != null && Objects.equals(a.getDesired(), b.getDesired()) && Objects.equals(a.getReady(), b.getReady())
        && Objects.equals(a.getFailed(), b.getFailed()) && Objects.equals(a.getUpstreamMissing(), b.getUpstreamMissing())
        && Objects.equals(a.getFailing(), b.getFailing()) && Objects.equals(a.getObservedGeneration(),
            b.getObservedGeneration())
        && Objects.equals(a.getConditions(), b.getConditions());
  }
}
