package dev.holdfast.operator.nodemirror;

import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.policy.Policies;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.pullsecret.PullSecrets;
import dev.holdfast.operator.reconcile.ImageCopies;
import dev.holdfast.operator.reconcile.Owner;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
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

  /** Writes a policy's mirror sets again within a second (a copy of it changed). */
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
    } catch (RuntimeException e) {
      LOG.warn("Writing the node mirror sets of policy {} failed: {}", name, e.getMessage());
      refresh(name);
    }
  }

  @Override
  public void close() {
    writer.shutdownNow();
  }
}
