package dev.holdfast.operator.webhook;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.policy.Policies;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.PolicySelection;
import dev.holdfast.operator.pullsecret.PullSecrets;
import dev.holdfast.operator.reconcile.ImageCopies;
import dev.holdfast.operator.reconcile.Namespaces;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * What the webhook decides from: the informers' caches that the controllers keep on every replica
 * (leader or not). Nothing here calls the API server or a registry.
 */
public final class MemoryState implements PodMutation.State {
  private final Policies policies;
  private final Namespaces namespaces;
  private final ImageCopies copies;
  private final MirrorPresence mirrors;
  private final BiPredicate<String, String> pullSecretExists;
  private final String operatorNamespace;

  public MemoryState(Policies policies, Namespaces namespaces, ImageCopies copies, MirrorPresence mirrors,
      BiPredicate<String, String> pullSecretExists, String operatorNamespace) {
    this.policies = policies;
    this.namespaces = namespaces;
    this.copies = copies;
    this.mirrors = mirrors;
    this.pullSecretExists = pullSecretExists;
    this.operatorNamespace = operatorNamespace;
  }

  @Override
  public List<Policy> policies() {
    return policies.all();
  }

  @Override
  public PolicySelection.Namespace namespace(String name) {
    return namespaces.get(name);
  }

  @Override
  public String operatorNamespace() {
    return operatorNamespace;
  }

  @Override
  public Optional<ImageReference> verifiedCopy(Policy policy, ImageReference source, String namespace) {
    return copies.verifiedCopy(policy, source, namespace);
  }

  @Override
  public Optional<ImageReference> confirmedMirror(Policy policy, ImageReference source) {
    return mirrors.confirmed(policy, source);
  }

  /**
   * The policy's pull secret, for targets on its destination registry, when the policy has
   * credentials to hand out (known from its spec or flags; the Secrets are not read here).
   */
  @Override
  public Optional<String> pullSecretFor(Policy policy, String registry) {
    return policy.isDestinationRegistry(registry) && policies.hasCredentials(policy)
        ? Optional.of(PullSecrets.nameFor(policy)) : Optional.empty();
  }

  @Override
  public boolean secretExists(String namespace, String name) {
    return pullSecretExists.test(namespace, name);
  }
}
