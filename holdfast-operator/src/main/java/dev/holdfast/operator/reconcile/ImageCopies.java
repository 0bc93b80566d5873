package dev.holdfast.operator.reconcile;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImageCopySpec;
import dev.holdfast.operator.api.SecretReference;
import dev.holdfast.operator.copy.CopyNames;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.pullsecret.PullSecrets;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.ResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ImageCopies, read from the ImageCopy controller's cache; created here when a workload names a
 * source that has none. The verified copies are what workloads (and, later, Pods at admission) are
 * pointed at.
 */
public final class ImageCopies {
  private static final Logger LOG = LoggerFactory.getLogger(ImageCopies.class);
  private static final int MAX_PULL_SECRETS = 16;

  private final KubernetesClient client;
  private final Owner owner;
  private volatile ResourceCache<ImageCopy> cache;

  public ImageCopies(KubernetesClient client, Owner owner) {
    this.client = client;
    this.owner = owner;
  }

  /** Where ImageCopies are read from: the ImageCopy reconciler's cache. */
  void use(ResourceCache<ImageCopy> imageCopies) {
    this.cache = imageCopies;
  }

  /** The ImageCopy of {@code source} under {@code policy}, if the cache has it. */
  public Optional<ImageCopy> get(Policy policy, ImageReference source) {
    ResourceCache<ImageCopy> current = cache;
    return current == null ? Optional.empty()
        : current.get(new ResourceID(CopyNames.nameFor(policy.name(), source)));
  }

  /**
   * The verified copy of {@code source} under {@code policy} that a workload in {@code namespace} may
   * be pointed at, by digest: Ready, where the policy's destination now puts it, and, for a private
   * source, readable by the namespace's own pull secrets unless the policy shares private images.
   */
  public Optional<ImageReference> verifiedCopy(Policy policy, ImageReference source, String namespace) {
    return get(policy, source)
        .filter(copy -> CopyStatus.servesNamespace(copy, namespace, policy.spec().sharesPrivateImages()))
        .flatMap(copy -> currentCopy(policy, source));
  }

  /** The verified copy of {@code source}, Ready and where the policy's destination now puts it, whoever may use it. */
  Optional<ImageReference> currentCopy(Policy policy, ImageReference source) {
    return get(policy, source).filter(CopyStatus::isReady).flatMap(copy -> {
      try {
        ImageReference reference = ImageReference.parse(copy.getStatus().getCopy());
        return reference.name().equals(policy.destinationFor(source).name()) ? Optional.of(reference) : Optional.empty();
      } catch (IllegalArgumentException e) { // an invalid reference, or a source whose copy cannot be named
        return Optional.empty();
      }
    });
  }

  /** Every ImageCopy in the cache. */
  public Stream<ImageCopy> all() {
    ResourceCache<ImageCopy> current = cache;
    return current == null ? Stream.empty() : current.list();
  }

  /** The state metrics count an ImageCopy in: ready, copying, failed or pending. */
  public static String state(ImageCopy copy) {
    if (CopyStatus.isReady(copy)) {
      return "ready";
    }
    String reason = copy.getStatus() == null ? null
        : dev.holdfast.operator.api.Conditions.get(copy.getStatus().getConditions(), CopyStatus.READY)
            .map(c -> c.getReason()).orElse(null);
    return reason == null ? "pending" : reason.equals(CopyStatus.COPYING) ? "copying" : "failed";
  }

  /** Every ImageCopy of a policy in the cache. */
  public Stream<ImageCopy> ofPolicy(String policy) {
    ResourceCache<ImageCopy> current = cache;
    return current == null ? Stream.empty() : current.list().filter(c -> policy.equals(c.getSpec().getPolicy()));
  }

  /**
   * Makes sure every source has its ImageCopy, recording the pull secrets that may read it.
   *
   * @param pullSecrets the workload's pull secrets
   * @param serviceAccountSecrets its ServiceAccount's, read only when a copy is created
   */
  public void ensure(Policy policy, List<ImageReference> sources, List<SecretReference> pullSecrets,
      Supplier<List<SecretReference>> serviceAccountSecrets) {
    for (ImageReference source : sources) {
      Optional<ImageCopy> existing = get(policy, source);
      if (existing.isEmpty()) {
        List<SecretReference> secrets = union(pullSecrets, serviceAccountSecrets.get());
        create(policy, source, secrets);
      } else if (!existing.get().getSpec().getPullSecrets().containsAll(pullSecrets)
          && existing.get().getSpec().getPullSecrets().size() < MAX_PULL_SECRETS) {
        addPullSecrets(existing.get(), pullSecrets);
      }
    }
  }

  private void create(Policy policy, ImageReference source, List<SecretReference> secrets) {
    ImageCopy copy = ImageCopy.of(CopyNames.nameFor(policy.name(), source),
        new ImageCopySpec(source.toString(), policy.name(), secrets));
    copy.getMetadata().setLabels(Map.of(PullSecrets.MANAGED_BY, PullSecrets.HOLDFAST,
        PullSecrets.POLICY_LABEL, policy.name()));
    try {
      client.resource(owner.stamp(copy)).create();
      LOG.info("Created ImageCopy {} for {} (policy {})", copy.getMetadata().getName(), source, policy.name());
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // another workload's reconcile created it first
    }
  }

  private void addPullSecrets(ImageCopy copy, List<SecretReference> secrets) {
    List<SecretReference> merged = union(copy.getSpec().getPullSecrets(), secrets);
    client.resources(ImageCopy.class).withName(copy.getMetadata().getName()).edit(current -> {
      current.getSpec().setPullSecrets(union(current.getSpec().getPullSecrets(), merged));
      return current;
    });
  }

  private static List<SecretReference> union(List<SecretReference> a, List<SecretReference> b) {
    Set<SecretReference> all = new LinkedHashSet<>(a);
    all.addAll(b);
    List<SecretReference> list = new ArrayList<>(all);
    return list.size() > MAX_PULL_SECRETS ? list.subList(0, MAX_PULL_SECRETS) : list;
  }
}
