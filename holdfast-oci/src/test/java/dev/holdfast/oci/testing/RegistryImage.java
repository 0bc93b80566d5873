package dev.holdfast.oci.testing;

import java.util.Objects;
import java.util.Optional;

/**
 * An image (repository plus tag or digest) in a test registry, and who accesses it: by default
 * the registry's own user in the auth modes and nobody otherwise.
 *
 * @param registry the registry
 * @param repositoryAndRef {@code demo/app:v1} or {@code demo/app@sha256:...}
 * @param credentials what {@link Skopeo} presents; empty = anonymous
 */
public record RegistryImage(
    RegistryExtension registry, String repositoryAndRef, Optional<Credentials> credentials) {

  /** Validates the parts. */
  public RegistryImage {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(credentials, "credentials");
    if (!repositoryAndRef.matches("[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[\\w][\\w.-]{0,127}|@sha256:[0-9a-f]{64})")) {
      throw new IllegalArgumentException("'" + repositoryAndRef + "' is not REPOSITORY:TAG or"
          + " REPOSITORY@sha256:HEX");
    }
  }

  static RegistryImage of(RegistryExtension registry, String repositoryAndRef) {
    return new RegistryImage(registry, repositoryAndRef, registry.requiresCredentials()
        ? Optional.of(registry.credentials()) : Optional.empty());
  }

  /** {@code 127.0.0.1:PORT/REPOSITORY:TAG} (or {@code @DIGEST}). */
  public String reference() {
    return registry.hostPort() + "/" + repositoryAndRef;
  }

  /** The same image accessed without credentials. */
  public RegistryImage anonymous() {
    return new RegistryImage(registry, repositoryAndRef, Optional.empty());
  }

  /** The same image accessed with these credentials (e.g. a wrong password). */
  public RegistryImage as(Credentials other) {
    return new RegistryImage(registry, repositoryAndRef, Optional.of(other));
  }

  /** The same repository at a digest. */
  public RegistryImage atDigest(String digest) {
    int at = repositoryAndRef.indexOf('@');
    int colon = repositoryAndRef.lastIndexOf(':', at < 0 ? repositoryAndRef.length() : at);
    String repo = at >= 0 ? repositoryAndRef.substring(0, at)
        : colon >= 0 ? repositoryAndRef.substring(0, colon) : repositoryAndRef;
    return new RegistryImage(registry, repo + "@" + digest, credentials);
  }

  @Override
  public String toString() {
    return "docker://" + reference() + credentials.map(c -> " as " + c.username()).orElse(" anonymously");
  }
}
