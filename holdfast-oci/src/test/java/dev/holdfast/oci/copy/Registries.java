package dev.holdfast.oci.copy;

import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.auth.CredentialProvider;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.oci.tls.TrustConfig;
import java.util.List;

/** A registry client for the test registries (their credentials, their CA) and references into them. */
final class Registries {
  private Registries() {}

  static RegistryClient client(RegistryExtension... registries) {
    TrustConfig.Builder trust = TrustConfig.builder();
    for (RegistryExtension registry : registries) {
      if (registry.isTls()) {
        trust.addRegistryBundle(registry.hostPort(), PemBundle.read(registry.ca().caFile()));
      }
    }
    List<RegistryExtension> all = List.of(registries);
    CredentialProvider credentials = (host, repository) -> all.stream()
        .filter(r -> r.hostPort().equals(host) && r.requiresCredentials())
        .findFirst()
        .map(r -> (Credential) new Credential.Basic(r.credentials().username(), r.credentials().password()));
    return RegistryClient.builder()
        .credentials(credentials)
        .trust(trust.build())
        .concurrencyPerRegistry(CopyEngine.DEFAULT_SOURCE_CONCURRENCY + CopyEngine.DEFAULT_DESTINATION_CONCURRENCY)
        .build();
  }

  static ImageReference ref(RegistryExtension registry, String repositoryAndRef) {
    return ImageReference.parse(registry.hostPort() + "/" + repositoryAndRef);
  }

  static ImageLocation at(RegistryExtension registry, String repositoryAndRef) {
    return new ImageLocation.Registry(ref(registry, repositoryAndRef));
  }
}
