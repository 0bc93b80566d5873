package dev.holdfast.operator.copy;

import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.auth.CredentialProvider;
import dev.holdfast.oci.auth.PullSecretKeyring;
import dev.holdfast.oci.copy.MirroredSources;
import dev.holdfast.oci.http.Proxies;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.registry.RetryAfterHolds;
import dev.holdfast.oci.registry.RetryPolicy;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.oci.tls.TrustConfig;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.SecretReference;
import dev.holdfast.operator.cluster.ClusterTrust;
import dev.holdfast.operator.policy.CredentialSecrets;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.RegistryCredentials;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registry clients for one policy's work: the operator's CAs and insecure registries, the
 * destination's CA ConfigMap and insecure flag, the CA bundles of the redirects' mirrors; the
 * destination's credentials for the destination registry, and the given pull secrets' credentials
 * for every other registry. A client per job, so that one namespace's pull secrets never serve
 * another's images. All of them keep to the waits registries ask for ({@code Retry-After} after a
 * 429 or 503): a registry that told one job to wait gets nothing from any other job before then.
 */
public final class RegistryAccess {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryAccess.class);

  private final KubernetesClient client;
  private final List<PemBundle> caBundles;
  private final List<String> insecureRegistries;
  private final Supplier<ClusterTrust> clusterTrust;
  private final BooleanSupplier openShift;
  private final Supplier<Proxies> proxies;
  private final RetryAfterHolds holds = RetryAfterHolds.create();

  /**
   * @param clusterTrust the CAs and insecure registries the cluster publishes (OpenShift's)
   * @param openShift whether the cluster is OpenShift: then its global pull secret, {@code
   *     openshift-config/pull-secret}, serves every registry its entries match, after the workloads' own
   * @param proxies the forward proxies registry requests go through
   */
  public RegistryAccess(KubernetesClient client, List<PemBundle> caBundles, List<String> insecureRegistries,
      Supplier<ClusterTrust> clusterTrust, BooleanSupplier openShift, Supplier<Proxies> proxies) {
    this.proxies = proxies;
    this.client = client;
    this.caBundles = List.copyOf(caBundles);
    this.insecureRegistries = List.copyOf(insecureRegistries);
    this.clusterTrust = clusterTrust;
    this.openShift = openShift;
  }

  /** A client for reading {@code sources} through {@code rules} and writing to the policy's destination. */
  public RegistryClient client(Policy policy, RegistryCredentials credentials, List<SecretReference> pullSecrets,
      MirrorRules rules, List<ImageReference> sources, String userAgent) {
    return client(policy, credentials, pullSecrets, rules, sources, userAgent, RetryPolicy.defaults());
  }

  /** As {@link #client(Policy, RegistryCredentials, List, MirrorRules, List, String)}, retrying as {@code retry} says. */
  public RegistryClient client(Policy policy, RegistryCredentials credentials, List<SecretReference> pullSecrets,
      MirrorRules rules, List<ImageReference> sources, String userAgent, RetryPolicy retry) {
    ImagePolicySpec.Destination destination = policy.spec().destination();
    TrustConfig.Builder trust = TrustConfig.builder();
    caBundles.forEach(trust::addGlobalBundle);
    insecureRegistries.forEach(trust::addInsecureRegistry);
    ClusterTrust cluster = clusterTrust.get();
    cluster.global().forEach(trust::addGlobalBundle);
    cluster.perRegistry().forEach(trust::addRegistryBundle);
    cluster.insecureRegistries().forEach(trust::addInsecureRegistry);
    policy.spec().trustedCA().forEach(ca -> trust.addGlobalBundle(trustedCa(ca)));
    if (destination.isInsecure()) {
      trust.addInsecureRegistry(destination.registry());
    }
    if (destination.ca() != null) {
      trust.addRegistryBundle(destination.registry(), destinationCa(destination.ca()));
    }
    MirroredSources.of(rules).addTrust(trust, sources);
    PullSecretKeyring keyring = openShift.getAsBoolean() ? globalPullSecret(keyring(pullSecrets))
        : keyring(pullSecrets);
    return RegistryClient.builder().credentials(credentialsFor(policy, credentials, keyring)).trust(trust.build()).proxies(proxies.get())
        .userAgent(userAgent).retryPolicy(retry).retryAfterHolds(holds).build();
  }

  /**
   * The policy's own credentials (push, else pull) for its destination registry, however the spec
   * spells it ({@code index.docker.io} is {@code docker.io}); the pull secrets' for every other.
   */
  static CredentialProvider credentialsFor(Policy policy, RegistryCredentials credentials, PullSecretKeyring keyring) {
    Optional<Credential.Basic> own = credentials.push().or(credentials::pull);
    return (registry, repository) -> policy.isDestinationRegistry(registry)
        ? own.map(c -> (Credential) c) : keyring.credentialFor(registry, repository);
  }

  private PullSecretKeyring keyring(List<SecretReference> references) {
    PullSecretKeyring keyring = PullSecretKeyring.empty();
    for (SecretReference reference : references) {
      Secret secret = client.secrets().inNamespace(reference.namespace()).withName(reference.name()).get();
      if (secret == null || secret.getData() == null) {
        continue; // deleted since the workload named it; the others may still serve
      }
      try {
        keyring = CredentialSecrets.withPayloads(keyring, "Secret " + reference, secret.getData());
      } catch (RuntimeException e) {
        LOG.warn("Pull secret {} cannot be read: {}", reference, e.getMessage());
      }
    }
    return keyring;
  }

  // OpenShift's global pull secret, after the workloads' own. It may be absent; any other error fails the copy.
  private PullSecretKeyring globalPullSecret(PullSecretKeyring keyring) {
    Secret secret = client.secrets().inNamespace("openshift-config").withName("pull-secret").get();
    if (secret == null || secret.getData() == null) {
      return keyring;
    }
    return CredentialSecrets.withPayloads(keyring, "Secret openshift-config/pull-secret", secret.getData());
  }

  private PemBundle trustedCa(ImagePolicySpec.TrustedCA ca) {
    String origin = ca.kind() + " " + ca.namespace() + "/" + ca.name() + " key " + ca.key();
    String pem;
    if (ca.kind() == ImagePolicySpec.SourceKind.Secret) {
      Secret secret = client.secrets().inNamespace(ca.namespace()).withName(ca.name()).get();
      String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(ca.key());
      pem = encoded == null ? null
          : new String(java.util.Base64.getDecoder().decode(encoded), java.nio.charset.StandardCharsets.US_ASCII);
    } else {
      ConfigMap map = client.configMaps().inNamespace(ca.namespace()).withName(ca.name()).get();
      pem = map == null || map.getData() == null ? null : map.getData().get(ca.key());
    }
    if (pem == null) {
      throw new IllegalStateException(origin + " (spec.trustedCA) does not exist");
    }
    return PemBundle.parse(origin, pem);
  }

  private PemBundle destinationCa(ImagePolicySpec.ConfigMapKeyReference reference) {
    ConfigMap map = client.configMaps().inNamespace(reference.namespace()).withName(reference.name()).get();
    String origin = "ConfigMap " + reference.namespace() + "/" + reference.name() + " key " + reference.key();
    if (map == null || map.getData() == null || !map.getData().containsKey(reference.key())) {
      throw new IllegalStateException(origin + " does not exist");
    }
    return PemBundle.parse(origin, map.getData().get(reference.key()));
  }
}
