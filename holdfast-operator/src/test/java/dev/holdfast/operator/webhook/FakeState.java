package dev.holdfast.operator.webhook;

import dev.holdfast.oci.mirror.Candidate;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.SecretReference;
import dev.holdfast.operator.policy.Policies;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.PolicySelection;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link PodMutation.State} held in plain collections, for the webhook's tests. The pull-secret
 * rule is the real one ({@link MemoryState#pullSecretFor}); verified copies and confirmed mirrors
 * are named as the operator names them: the copy is the policy's destination for the source, with
 * the source's tag and the digest {@link #SHA}; the mirror is the first mirror candidate of the
 * policy's redirect rules.
 */
final class FakeState implements PodMutation.State {
  static final String OPERATOR_NAMESPACE = "holdfast-system";
  static final String SHA = "sha256:" + "c".repeat(64);
  static final String DESTINATION = "copies.example.com";

  private final List<Policy> policies;
  private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
  private final Set<String> verified = new HashSet<>();
  private final Set<String> mirrored = new HashSet<>();
  private final Set<String> secrets = new HashSet<>();
  private final Map<String, Set<String>> readers = new HashMap<>();
  private final MemoryState rules = new MemoryState(new Policies(Optional.empty(), null, Clock.systemUTC()), null,
      null, null, (namespace, name) -> false, OPERATOR_NAMESPACE);

  FakeState(Policy... policies) {
    this.policies = List.of(policies);
  }

  /**
   * A policy copying to {@code copies.example.com/keep}, covering every namespace but kube-system.
   *
   * @param credentials whether the destination has credentials (so copies need a pull secret)
   */
  static Policy policy(String name, ImagePolicySpec.RewriteMode mode, ImagePolicySpec.ReferenceForm form,
      boolean credentials) {
    return policy(name, mode, form, credentials, List.of(), List.of(), List.of());
  }

  static Policy policy(String name, ImagePolicySpec.RewriteMode mode, ImagePolicySpec.ReferenceForm form,
      boolean credentials, List<String> excludeImages, List<String> skipOwnerKinds,
      List<ImagePolicySpec.Redirect> redirects) {
    SecretReference push = credentials ? new SecretReference(OPERATOR_NAMESPACE, "push") : null;
    return Policy.of(name, new ImagePolicySpec(new ImagePolicySpec.Destination(DESTINATION, "keep", null, push, null,
        null, null), null, null, null, excludeImages, skipOwnerKinds, mode, form, redirects), 1);
  }

  FakeState namespace(String name, Map<String, String> labels) {
    namespaceLabels.put(name, labels);
    return this;
  }

  /** Sources (as written; normalised here) with a verified copy. */
  FakeState verified(String... sources) {
    for (String source : sources) {
      verified.add(ImageReference.parse(source).toString());
    }
    return this;
  }

  /** Sources whose redirect mirror is confirmed to hold them. */
  FakeState mirrored(String... sources) {
    for (String source : sources) {
      mirrored.add(ImageReference.parse(source).toString());
    }
    return this;
  }

  /** A Secret that exists in a namespace. */
  FakeState secret(String namespace, String name) {
    secrets.add(namespace + "/" + name);
    return this;
  }

  /** The verified copy of a source as {@link #verifiedCopy} names it. */
  static String copyOf(Policy policy, String source) {
    ImageReference reference = ImageReference.parse(source);
    ImageReference destination = policy.destinationFor(reference);
    return ImageReference.of(destination.registry(), destination.repository(), reference.tag().orElse(null),
        reference.digest().orElse(Digest.parse(SHA))).toString();
  }

  @Override
  public List<Policy> policies() {
    return policies;
  }

  @Override
  public PolicySelection.Namespace namespace(String name) {
    return new PolicySelection.Namespace(name, namespaceLabels.getOrDefault(name, Map.of()));
  }

  @Override
  public String operatorNamespace() {
    return OPERATOR_NAMESPACE;
  }

  /** A verified copy of a private source, which only these namespaces' own pull secrets can read. */
  FakeState verifiedPrivate(String source, String... readableIn) {
    verified(source);
    readers.put(ImageReference.parse(source).toString(), Set.of(readableIn));
    return this;
  }

  @Override
  public Optional<ImageReference> verifiedCopy(Policy policy, ImageReference source, String namespace) {
    Set<String> readable = readers.get(source.toString());
    boolean served = readable == null || readable.contains(namespace) || policy.spec().sharesPrivateImages();
    return served && verified.contains(source.toString())
        ? Optional.of(ImageReference.parse(copyOf(policy, source.toString()))) : Optional.empty();
  }

  @Override
  public Optional<ImageReference> confirmedMirror(Policy policy, ImageReference source) {
    if (!mirrored.contains(source.toString())) {
      return Optional.empty();
    }
    return policy.redirects().resolve(source).candidates().stream().filter(Candidate::mirror)
        .map(Candidate::reference).findFirst();
  }

  @Override
  public Optional<String> pullSecretFor(Policy policy, String registry) {
    return rules.pullSecretFor(policy, registry);
  }

  @Override
  public boolean secretExists(String namespace, String name) {
    return secrets.contains(namespace + "/" + name);
  }
}
