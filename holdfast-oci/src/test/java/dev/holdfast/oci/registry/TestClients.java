package dev.holdfast.oci.registry;

import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.auth.CredentialProvider;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.Credentials;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.oci.tls.TrustConfig;
import java.util.Optional;

/** Registry clients configured for the harness's registries (trust, credentials). */
final class TestClients {

  private TestClients() {}

  /** A builder that trusts the registry's test CA and presents its user, with fast retries. */
  static RegistryClient.Builder builder(RegistryExtension registry) {
    RegistryClient.Builder builder = RegistryClient.builder()
        .trust(trust(registry))
        .userAgent("holdfast-test")
        .retryPolicy(new RetryPolicy(3, java.time.Duration.ofMillis(10),
            java.time.Duration.ofMillis(50), java.time.Duration.ofSeconds(30)));
    if (registry.requiresCredentials()) {
      builder.credentials(credentials(registry, registry.credentials()));
    }
    return builder;
  }

  static RegistryClient client(RegistryExtension registry) {
    return builder(registry).build();
  }

  static TrustConfig trust(RegistryExtension registry) {
    return registry.isTls()
        ? TrustConfig.builder().addGlobalBundle(PemBundle.parse("test CA", registry.ca().caPem())).build()
        : TrustConfig.systemDefault();
  }

  /** Presents {@code user} for this registry only. */
  static CredentialProvider credentials(RegistryExtension registry, Credentials user) {
    return (host, repository) -> host.equals(registry.hostPort())
        ? Optional.of(new Credential.Basic(user.username(), user.password()))
        : Optional.empty();
  }

  static ImageReference ref(RegistryExtension registry, String repositoryAndRef) {
    return ImageReference.parse(registry.hostPort() + "/" + repositoryAndRef);
  }

  /** The library descriptor of a harness descriptor. */
  static Descriptor descriptor(dev.holdfast.oci.testing.Descriptor d) {
    return Descriptor.of(d.mediaType(), Digest.parse(d.digest()), d.size());
  }
}
