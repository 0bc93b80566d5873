package dev.holdfast.operator.reconcile;

import dev.holdfast.operator.policy.Policies;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.pullsecret.PullSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Holdfast's pull secrets current: a secret no workload of its namespace lists any more is
 * deleted, and one whose policy's credentials changed is updated. Runs every few minutes and when a
 * policy's credentials change; it never deletes before every workload cache has synced.
 */
@ControllerConfiguration(name = "pullsecret",
    informer = @Informer(labelSelector = PullSecrets.SELECTOR),
    maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public final class PullSecretReconciler implements Reconciler<Secret> {
  private static final Logger LOG = LoggerFactory.getLogger(PullSecretReconciler.class);
  /** A pull secret younger than this is not deleted. */
  static final Duration GRACE = Duration.ofMinutes(2);

  private final KubernetesClient client;
  private final Policies policies;
  private final Workloads workloads;
  private final PullSecretWriter writer;
  private final Clock clock;
  private final SimpleInboundEventSource<Secret> trigger = new SimpleInboundEventSource<>("policy-credentials");
  private volatile IndexerResourceCache<Secret> cache;

  public PullSecretReconciler(KubernetesClient client, Policies policies, Workloads workloads,
      PullSecretWriter writer, Clock clock) {
    this.clock = clock;
    this.client = client;
    this.policies = policies;
    this.workloads = workloads;
    this.writer = writer;
  }

  @Override
  public List<EventSource<?, Secret>> prepareEventSources(EventSourceContext<Secret> context) {
    cache = context.getPrimaryCache();
    return List.of(trigger);
  }

  @Override
  public UpdateControl<Secret> reconcile(Secret secret, Context<Secret> context) {
    if (!workloads.synced()) {
      return UpdateControl.<Secret>noUpdate().rescheduleAfter(Duration.ofSeconds(10));
    }
    String namespace = secret.getMetadata().getNamespace();
    String name = secret.getMetadata().getName();
    // A new secret is written before the workload that needs it is patched: give the patch time.
    Duration age = Duration.between(Instant.parse(secret.getMetadata().getCreationTimestamp()), clock.instant());
    if (age.compareTo(GRACE) < 0) {
      return UpdateControl.<Secret>noUpdate().rescheduleAfter(GRACE.minus(age));
    }
    Optional<Policy> policy = policies.get(secret.getMetadata().getLabels().get(PullSecrets.POLICY_LABEL));
    if (!workloads.referencesPullSecret(namespace, name) && !neededAtAdmission(policy, namespace)) {
      client.resource(secret).delete();
      LOG.info("Deleted pull secret {}/{}: no workload lists it any more", namespace, name);
      return UpdateControl.noUpdate();
    }
    policy.ifPresent(p -> writer.ensure(namespace, p));
    return UpdateControl.noUpdate();
  }

  // In Webhook mode the Pods list the secret, and the workloads do not: it stays while the namespace
  // has workloads its policy covers.
  private boolean neededAtAdmission(Optional<Policy> policy, String namespace) {
    return policy.filter(p -> p.spec().rewrite() == dev.holdfast.operator.api.ImagePolicySpec.RewriteMode.Webhook)
        .filter(p -> !p.spec().excludeNamespaces().contains(namespace))
        .isPresent() && workloads.anyIn(namespace);
  }

  /** Whether Holdfast's pull secret {@code name} exists in {@code namespace}, from the cache. */
  public boolean exists(String namespace, String name) {
    IndexerResourceCache<Secret> current = cache;
    return current != null && current.get(new ResourceID(name, namespace)).isPresent();
  }

  /** Reconciles every pull secret of a policy (its credentials changed). */
  public void reconcilePolicy(String policy) {
    IndexerResourceCache<Secret> current = cache;
    if (current != null) {
      current.list().filter(s -> policy.equals(s.getMetadata().getLabels().get(PullSecrets.POLICY_LABEL)))
          .forEach(s -> trigger.propagateEvent(ResourceID.fromResource(s)));
    }
  }
}
