package dev.holdfast.operator.nodemirror;

import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.policy.Policies;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.pullsecret.PullSecrets;
import dev.holdfast.operator.reconcile.ImageCopies;
import dev.holdfast.operator.reconcile.Owner;
import dev.holdfast.oci.auth.Credential;
import dev.holdfast.operator.policy.RegistryCredentials;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On OpenShift, the ImageDigestMirrorSet and ImageTagMirrorSet {@code holdfast-POLICY} that the
 * operator owns for each policy in NodeMirror mode: one entry per source repository with a verified
 * copy, kept current (within a second of a change) by the leader. The nodes turn them into
 * registries.conf; Pods keep their names. Elsewhere, {@code holdfast node-config} renders the same
 * rules for CRI-O and containerd.
 */
public final class NodeMirrorSets implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeMirrorSets.class);
  private static final ResourceDefinitionContext IDMS = new ResourceDefinitionContext.Builder()
      .withGroup("config.openshift.io").withVersion("v1").withKind("ImageDigestMirrorSet")
      .withPlural("imagedigestmirrorsets").withNamespaced(false).build();
  private static final ResourceDefinitionContext ITMS = new ResourceDefinitionContext.Builder()
      .withGroup("config.openshift.io").withVersion("v1").withKind("ImageTagMirrorSet")
      .withPlural("imagetagmirrorsets").withNamespaced(false).build();

  private final KubernetesClient client;
  private final Policies policies;
  private final ImageCopies copies;
  private final Owner owner;
  private final BooleanSupplier served;
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("holdfast-node-mirrors").daemon().factory());

  /** @param served whether the cluster serves the OpenShift mirror set kinds */
  public NodeMirrorSets(KubernetesClient client, Policies policies, ImageCopies copies, Owner owner,
      BooleanSupplier served) {
    this.client = client;
    this.policies = policies;
    this.copies = copies;
    this.owner = owner;
    this.served = served;
  }

  /** The name of a policy's mirror sets. */
  public static String nameFor(String policy) {
    return "holdfast-" + policy;
  }

  /**
   * Writes a policy's mirror sets again within a second (a copy of it or its spec changed); a policy
   * not in NodeMirror mode has none.
   */
  public void refresh(String policy) {
    if (dirty.add(policy)) {
      writer.schedule(() -> write(policy), 1, TimeUnit.SECONDS);
    }
  }

  private void write(String name) {
    dirty.remove(name);
    if (!served.getAsBoolean()) {
      return;
    }
    try {
      Policy policy = policies.get(name).orElse(null);
      if (policy == null || policy.spec().rewrite() != ImagePolicySpec.RewriteMode.NodeMirror) {
        // not (or no longer) in NodeMirror mode: the nodes must not keep pulling from its copies
        client.genericKubernetesResources(IDMS).withName(nameFor(name)).delete();
        client.genericKubernetesResources(ITMS).withName(nameFor(name)).delete();
        return;
      }
      List<NodeMirrorRules.Rule> rules = NodeMirrorRules.of(copies.ofPolicy(name).toList(),
          policy.spec().nodeMirror().blocksSource(), p -> policy.spec().sharesPrivateImages());
      for (GenericKubernetesResource set : NodeMirrorRenderers.openShift(nameFor(name), rules,
          Map.of(PullSecrets.MANAGED_BY, PullSecrets.HOLDFAST, PullSecrets.POLICY_LABEL, name))) {
        var resources = client.genericKubernetesResources(set.getKind().equals("ImageDigestMirrorSet") ? IDMS : ITMS);
        if (rules.isEmpty()) {
          resources.withName(set.getMetadata().getName()).delete();
        } else {
          resources.resource(owner.stamp(set)).fieldManager("holdfast").forceConflicts().serverSideApply();
        }
      }
      LOG.debug("Node mirror sets {}: {} source repositories", nameFor(name), rules.size());
      if (policy.spec().nodeMirror().updatesGlobalPullSecret() && !rules.isEmpty()) {
        updateGlobalPullSecret(policy);
      }
    } catch (RuntimeException e) {
      LOG.warn("Writing the node mirror sets of policy {} failed: {}", name, e.getMessage());
      refresh(name);
    }
  }

  // The nodes pull the copies with the global pull secret: add the destination's pull credentials to it.
  private void updateGlobalPullSecret(Policy policy) {
    RegistryCredentials credentials = policies.credentials(policy);
    Optional<Credential.Basic> credential = credentials.pull().or(credentials::push);
    if (credential.isEmpty()) {
      return; // the copies' registry takes anonymous pulls
    }
    Secret secret = client.secrets().inNamespace(GlobalPullSecret.NAMESPACE).withName(GlobalPullSecret.NAME).get();
    if (secret == null) {
      LOG.warn("Policy {} asks to update the global pull secret, but {}/{} does not exist", policy.name(),
          GlobalPullSecret.NAMESPACE, GlobalPullSecret.NAME);
      return;
    }
    String current = secret.getData() == null || secret.getData().get(GlobalPullSecret.KEY) == null ? null
        : new String(Base64.getDecoder().decode(secret.getData().get(GlobalPullSecret.KEY)), StandardCharsets.UTF_8);
    Optional<String> updated;
    try {
      updated = GlobalPullSecret.withRegistry(current, policy.spec().destination().registry(), credential.get());
    } catch (IllegalArgumentException e) { // not ours to repair: say so, and leave it as it is
      LOG.warn("Not updating the global pull secret for policy {}: {}", policy.name(), e.getMessage());
      return;
    }
    if (updated.isPresent()) {
      Map<String, String> data = new HashMap<>(secret.getData() == null ? Map.of() : secret.getData());
      data.put(GlobalPullSecret.KEY,
          Base64.getEncoder().encodeToString(updated.get().getBytes(StandardCharsets.UTF_8)));
      secret.setData(data);
      client.secrets().inNamespace(GlobalPullSecret.NAMESPACE).resource(secret).update(); // conflicts: refresh again
      LOG.info("Added the pull credentials of {} to {}/{} for policy {}", policy.spec().destination().registry(),
          GlobalPullSecret.NAMESPACE, GlobalPullSecret.NAME, policy.name());
    }
  }

  @Override
  public void close() {
    writer.shutdownNow();
  }
}
