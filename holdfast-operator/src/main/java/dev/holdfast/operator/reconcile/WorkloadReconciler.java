package dev.holdfast.operator.reconcile;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.operator.api.SecretReference;
import dev.holdfast.operator.events.EventRecorder;
import dev.holdfast.operator.policy.Policies;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.PolicySelection;
import dev.holdfast.operator.pullsecret.PullSecrets;
import dev.holdfast.operator.rewrite.OriginalImages;
import dev.holdfast.operator.rewrite.RewritePlan;
import dev.holdfast.operator.rewrite.TemplatePatch;
import dev.holdfast.operator.rewrite.WorkloadSources;
import dev.holdfast.operator.webhook.MirrorPresence;
import dev.holdfast.operator.workload.Ownership;
import dev.holdfast.operator.workload.PodSpecImages;
import dev.holdfast.operator.workload.WorkloadKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * Finds the images of one kind of workload, makes sure each has an ImageCopy, and in {@code Patch}
 * mode points the workload's Pod template at the verified copies once all of them are verified.
 * Idempotent: it derives everything from the workload, the policies and the copies each time. The
 * decisions are pure functions ({@link PolicySelection}, {@link Ownership}, {@link WorkloadSources},
 * {@link RewritePlan}); this class reads and writes around them.
 */
public abstract class WorkloadReconciler<W extends HasMetadata> implements Reconciler<W> {
  private static final int UNPROCESSABLE_ENTITY = 422;
  private final WorkloadKind kind;
  private final Shared shared;
  private final SimpleInboundEventSource<W> trigger = new SimpleInboundEventSource<>("holdfast-triggers");

  /** What every workload controller uses. */
  public record Shared(KubernetesClient client, Namespaces namespaces, Policies policies, ImageCopies copies,
      Workloads workloads, PullSecretWriter pullSecrets, BiPredicate<String, String> pullSecretExists,
      MirrorPresence mirrors, InvalidImages invalidImages, Consumer<String> policyChanged, EventRecorder events,
      String operatorNamespace) {}

  protected WorkloadReconciler(WorkloadKind kind, Shared shared) {
    this.kind = kind;
    this.shared = shared;
  }

  @Override
  public List<EventSource<?, W>> prepareEventSources(EventSourceContext<W> context) {
    shared.workloads().register(kind, context.getPrimaryCache(), trigger);
    return List.of(trigger);
  }

  @Override
  public UpdateControl<W> reconcile(W workload, Context<W> context) {
    String namespace = workload.getMetadata().getNamespace();
    PolicySelection.Selection selection = PolicySelection.select(shared.policies().all(),
        shared.namespaces().get(namespace), workload.getMetadata().getLabels(), shared.operatorNamespace());
    if (!(selection instanceof PolicySelection.Selection.Covered(Policy policy))) {
      return UpdateControl.noUpdate();
    }
    if (!(Ownership.of(workload, policy.spec().skipOwnerKinds()) instanceof Ownership.Decision.Handle)) {
      return UpdateControl.noUpdate();
    }
    PodSpec spec = kind.podSpec(workload);
    WorkloadSources sources = sources(workload, spec, policy);
    String invalid = String.join("; ", sources.invalid().stream().map(Object::toString).toList());
    String key = namespace + "/" + kind.kind() + "/" + workload.getMetadata().getName();
    if (shared.invalidImages().set(policy.name(), key, invalid)) {
      shared.policyChanged().accept(policy.name());
    }
    if (!invalid.isEmpty()) {
      shared.events().warning(workload, "InvalidImage", "not copied or changed: " + invalid);
      return UpdateControl.noUpdate();
    }
    List<ImageReference> references = sources.references();
    if (references.isEmpty()) {
      return UpdateControl.noUpdate();
    }
    switch (policy.spec().rewrite()) {
      case Redirect -> references.forEach(source -> shared.mirrors().check(policy, source)); // no copy
      case Webhook -> {
        ensureCopies(policy, namespace, spec, references);
        preparePullSecret(policy, namespace, references);
      }
      case Patch -> {
        ensureCopies(policy, namespace, spec, references);
        if (kind.isPatchable()) {
          patch(workload, policy, spec, sources);
        }
      }
      case None, NodeMirror -> ensureCopies(policy, namespace, spec, references); // the nodes are pointed elsewhere
    }
    return UpdateControl.noUpdate();
  }

  private void ensureCopies(Policy policy, String namespace, PodSpec spec, List<ImageReference> references) {
    shared.copies().ensure(policy, references, pullSecrets(namespace, spec),
        () -> serviceAccountPullSecrets(namespace, spec));
  }

  // The webhook appends the pull secret to Pods only when it exists: write it once a copy is verified.
  private void preparePullSecret(Policy policy, String namespace, List<ImageReference> references) {
    if (references.stream().noneMatch(source -> shared.copies().verifiedCopy(policy, source, namespace).isPresent())) {
      return;
    }
    shared.pullSecrets().nameIfNeeded(policy)
        .filter(name -> !shared.pullSecretExists().test(namespace, name))
        .ifPresent(name -> shared.pullSecrets().ensure(namespace, policy));
  }

  private void patch(W workload, Policy policy, PodSpec spec, WorkloadSources sources) {
    try {
      patchOnce(workload, policy, spec, sources);
    } catch (KubernetesClientException e) {
      if (e.getCode() != UNPROCESSABLE_ENTITY) {
        throw e;
      }
      // A test operation failed: the cache was behind (often our own last patch). Plan once more
      // against the object as it is now.
      W live = shared.client().resource(workload).get();
      if (live != null) {
        PodSpec liveSpec = kind.podSpec(live);
        patchOnce(live, policy, liveSpec, sources(live, liveSpec, policy));
      }
    }
  }

  private void patchOnce(W workload, Policy policy, PodSpec spec, WorkloadSources sources) {
    Optional<String> pullSecret = shared.pullSecrets().nameIfNeeded(policy);
    RewritePlan plan = RewritePlan.of(sources.sources(), source -> shared.copies().verifiedCopy(policy, source, workload.getMetadata().getNamespace()),
        policy.spec().referenceForm(), pullSecret, names(spec.getImagePullSecrets()));
    if (!(plan instanceof RewritePlan.Rewrite planned)) {
      return;
    }
    Map<String, String> originals = new HashMap<>(sources.kept());
    originals.putAll(planned.originals());
    RewritePlan.Rewrite rewrite = new RewritePlan.Rewrite(planned.changes(), originals, planned.addPullSecret());
    rewrite.addPullSecret().ifPresent(name -> shared.pullSecrets().ensure(workload.getMetadata().getNamespace(), policy));
    String patch = TemplatePatch.rewrite(kind, workload, rewrite);
    shared.client().resource(workload).patch(PatchContext.of(PatchType.JSON), patch);
    shared.events().normal(workload, "Patched", "pointed at verified copies: " + String.join(", ",
        rewrite.changes().stream().map(c -> c.field().key() + " -> " + c.image()).toList()));
  }

  private static WorkloadSources sources(HasMetadata workload, PodSpec spec, Policy policy) {
    Map<String, String> annotations = workload.getMetadata().getAnnotations();
    Map<String, String> copies = annotations == null ? Map.of()
        : OriginalImages.parse(annotations.get(TemplatePatch.COPIES_ANNOTATION));
    return WorkloadSources.of(PodSpecImages.of(spec), OriginalImages.read(annotations), copies, policy);
  }

  private static List<SecretReference> pullSecrets(String namespace, PodSpec spec) {
    return names(spec.getImagePullSecrets()).stream()
        .filter(name -> !name.startsWith("holdfast-pull"))
        .map(name -> new SecretReference(namespace, name))
        .toList();
  }

  private List<SecretReference> serviceAccountPullSecrets(String namespace, PodSpec spec) {
    String name = spec.getServiceAccountName() == null || spec.getServiceAccountName().isEmpty() ? "default"
        : spec.getServiceAccountName();
    ServiceAccount account = shared.client().serviceAccounts().inNamespace(namespace).withName(name).get();
    if (account == null) {
      return List.of();
    }
    return names(account.getImagePullSecrets()).stream().map(n -> new SecretReference(namespace, n)).toList();
  }

  private static List<String> names(List<LocalObjectReference> references) {
    return references == null ? List.of()
        : references.stream().map(LocalObjectReference::getName).filter(n -> n != null && !n.isEmpty()).toList();
  }
}
