package dev.holdfast.oci.auth;

import java.util.List;
import java.util.Optional;

/** Finds the credential to use for a repository on a registry. */
@FunctionalInterface
public interface CredentialProvider {

  /**
   * The credential for {@code repository} on {@code registry}, or empty for anonymous access.
   *
   * @param registry the registry as in {@code ImageReference.registry()}: {@code docker.io},
   *     {@code localhost:5000}, {@code [::1]:5000}
   * @param repository the repository as in {@code ImageReference.repository()}: {@code library/nginx}
   */
  Optional<Credential> credentialFor(String registry, String repository);

  /** No credential for any registry. */
  static CredentialProvider anonymous() {
    return (registry, repository) -> Optional.empty();
  }

  /** Asks each provider in order and returns the first credential found. */
  static CredentialProvider chain(CredentialProvider... providers) {
    List<CredentialProvider> list = List.of(providers);
    return (registry, repository) -> {
      for (CredentialProvider provider : list) {
        Optional<Credential> credential = provider.credentialFor(registry, repository);
        if (credential.isPresent()) {
          return credential;
        }
      }
      return Optional.empty();
    };
  }
}
