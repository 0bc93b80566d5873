package dev.holdfast.operator.reconcile;

import dev.holdfast.oci.auth.Credential;
import dev.holdfast.operator.policy.Policies;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.pullsecret.PullSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes a policy's pull secret into a namespace, the one place that creates and updates them. */
public final class PullSecretWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PullSecretWriter.class);

  private final KubernetesClient client;
  private final Policies policies;
  private final Owner owner;

  public PullSecretWriter(KubernetesClient client, Policies policies, Owner owner) {
    this.client = client;
    this.policies = policies;
    this.owner = owner;
  }

  /** The name of the pull secret the policy's copies need, or empty when they are public. */
  public Optional<String> nameIfNeeded(Policy policy) {
    return policies.credentials(policy).handedOut().map(c -> PullSecrets.nameFor(policy));
  }

  /** Creates or updates the policy's pull secret in {@code namespace}; does nothing when it is current. */
  public void ensure(String namespace, Policy policy) {
    Optional<Credential.Basic> credential = policies.credentials(policy).handedOut();
    if (credential.isEmpty()) {
      return;
    }
    Secret desired = owner.stamp(PullSecrets.desired(namespace, policy, credential.get()));
    Secret existing = client.secrets().inNamespace(namespace).withName(desired.getMetadata().getName()).get();
    if (PullSecrets.upToDate(existing, desired)) {
      return;
    }
    client.resource(desired).fieldManager("holdfast").forceConflicts().serverSideApply();
    LOG.info("{} pull secret {}/{} for policy {}", existing == null ? "Created" : "Updated", namespace,
        desired.getMetadata().getName(), policy.name());
  }
}
