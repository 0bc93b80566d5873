package dev.holdfast.operator.webhook;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.operator.api.ImagePolicySpec.RewriteMode;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.PolicySelection;
import dev.holdfast.operator.rewrite.OriginalImages;
import dev.holdfast.operator.rewrite.RewritePlan;
import dev.holdfast.operator.rewrite.TemplatePatch;
import dev.holdfast.operator.rewrite.WorkloadSources;
import dev.holdfast.operator.workload.ImageField;
import dev.holdfast.operator.workload.Ownership;
import dev.holdfast.operator.workload.PodSpecImages;
import dev.holdfast.operator.workload.WorkloadKind;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the admission webhook does to a Pod: a pure function of the request and of what the
 * operator holds in memory (policies, namespaces, verified copies, confirmed mirrors, pull secrets).
 *
 * <ul>
 *   <li>On CREATE, in a policy's {@code Webhook} mode, every image with a verified copy is pointed at
 *       it; in {@code Redirect} mode, every image whose mirror is confirmed to hold it is pointed at
 *       the mirror. Other images pass unchanged. The originals go into {@code
 *       holdfast.dev/original-images}; the pull secret is appended when the targets need it, and only
 *       when it exists, since a Pod that cannot pull is worse than one that pulls its source.
 *   <li>On an update of {@code pods/ephemeralcontainers}, only the new ephemeral containers are
 *       rewritten; nothing else may change there.
 *   <li>Dry runs, namespaces and objects no policy covers (opted out, excluded, the operator's own),
 *       mirror Pods and Pods controlled by a kind Holdfast does not manage pass unchanged.
 * </ul>
 */
public final class PodMutation {
  private PodMutation() {}

  /** The parts of an AdmissionRequest the decision needs. */
  public record Request(String operation, String subResource, boolean dryRun, String namespace, Pod pod, Pod oldPod) {
    boolean isEphemeralUpdate() {
      return "UPDATE".equals(operation) && "ephemeralcontainers".equals(subResource);
    }

    boolean isCreate() {
      return "CREATE".equals(operation) && (subResource == null || subResource.isEmpty());
    }
  }

  /** What the operator knows, from memory only. */
  public interface State {
    List<Policy> policies();

    PolicySelection.Namespace namespace(String name);

    String operatorNamespace();

    /**
     * The verified copy of a source, by digest, that a Pod in {@code namespace} may be pointed at
     * (a private source's copy only where the namespace's own pull secrets can read the source).
     */
    Optional<ImageReference> verifiedCopy(Policy policy, ImageReference source, String namespace);

    /** The redirect's mirror location of a source, when it is confirmed to hold the image. */
    Optional<ImageReference> confirmedMirror(Policy policy, ImageReference source);

    /** The pull secret a target registry needs under a policy, if any. */
    Optional<String> pullSecretFor(Policy policy, String registry);

    /** Whether a Secret of that name exists in the namespace. */
    boolean secretExists(String namespace, String name);
  }

  /** The decision. */
  public sealed interface Outcome {
    /** Allowed as it is, and why. */
    record Unchanged(String reason) implements Outcome {}

    /** Allowed with this JSON patch. */
    record Patched(String patch, List<RewritePlan.Change> changes) implements Outcome {}
  }

  /** Decides what to do with a Pod. */
  public static Outcome decide(Request request, State state) {
    if (request.dryRun()) {
      return new Outcome.Unchanged("a dry run");
    }
    if (!request.isCreate() && !request.isEphemeralUpdate()) {
      return new Outcome.Unchanged("not a Pod creation or an ephemeral container update");
    }
    Pod pod = request.pod();
    if (pod == null || pod.getSpec() == null || pod.getMetadata() == null) {
      return new Outcome.Unchanged("no Pod in the request");
    }
    PolicySelection.Selection selection = PolicySelection.select(state.policies(),
        state.namespace(request.namespace()), pod.getMetadata().getLabels(), state.operatorNamespace());
    if (!(selection instanceof PolicySelection.Selection.Covered(Policy policy))) {
      return new Outcome.Unchanged(((PolicySelection.Selection.NotCovered) selection).reason());
    }
    RewriteMode mode = policy.spec().rewrite();
    if (mode != RewriteMode.Webhook && mode != RewriteMode.Redirect) {
      return new Outcome.Unchanged("policy " + policy.name() + " rewrites in mode " + mode);
    }
    if (Ownership.of(pod, policy.spec().skipOwnerKinds()) instanceof Ownership.Decision.LeaveAlone(String why)) {
      return new Outcome.Unchanged(why);
    }
    List<ImageField> fields = PodSpecImages.of(pod.getSpec());
    if (request.isEphemeralUpdate()) {
      Set<String> existing = new HashSet<>();
      if (request.oldPod() != null) {
        PodSpecImages.of(request.oldPod().getSpec()).forEach(f -> existing.add(f.key()));
      }
      fields = fields.stream().filter(f -> f.key().startsWith("ephemeralContainers/") && !existing.contains(f.key()))
          .toList();
    }
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    WorkloadSources sources = WorkloadSources.of(fields, OriginalImages.read(annotations),
        OriginalImages.parse(annotations == null ? null : annotations.get(TemplatePatch.COPIES_ANNOTATION)), policy);

    List<RewritePlan.Change> changes = new ArrayList<>();
    Map<String, String> originals = new LinkedHashMap<>(OriginalImages.read(annotations));
    String pullSecret = null;
    List<String> listed = pod.getSpec().getImagePullSecrets() == null ? List.of()
        : pod.getSpec().getImagePullSecrets().stream().map(LocalObjectReference::getName).toList();
    for (WorkloadSources.Source source : sources.sources()) {
      Optional<ImageReference> target = mode == RewriteMode.Webhook
          ? state.verifiedCopy(policy, source.reference(), request.namespace())
          : state.confirmedMirror(policy, source.reference());
      if (target.isEmpty()) {
        continue;
      }
      Optional<String> needed = state.pullSecretFor(policy, target.get().registry());
      if (needed.isPresent() && !listed.contains(needed.get())) {
        if (request.isEphemeralUpdate() || !state.secretExists(request.namespace(), needed.get())) {
          continue; // it could not pull the target
        }
        pullSecret = needed.get();
      }
      String image = mode == RewriteMode.Webhook
          ? RewritePlan.render(target.get(), source.reference(), policy.spec().referenceForm())
          : target.get().toString();
      if (!image.equals(source.field().image())) {
        changes.add(new RewritePlan.Change(source.field(), image));
        originals.put(source.field().key(), source.original());
      }
    }
    if (changes.isEmpty()) {
      return new Outcome.Unchanged("no image has a verified copy or a confirmed mirror yet");
    }
    String patch = request.isEphemeralUpdate()
        ? TemplatePatch.imagesOnly(WorkloadKind.POD, changes)
        : TemplatePatch.rewrite(WorkloadKind.POD, pod,
            new RewritePlan.Rewrite(changes, originals, Optional.ofNullable(pullSecret)));
    return new Outcome.Patched(patch, List.copyOf(changes));
  }
}
