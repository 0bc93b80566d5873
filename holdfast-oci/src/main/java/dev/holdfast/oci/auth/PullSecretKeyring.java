package dev.holdfast.oci.auth;

import java.util.List;
import java.util.Optional;

/**
 * Credentials from Kubernetes image pull secrets, matched to images as the kubelet matches them.
 *
 * <p>Accepts the decoded payload of a {@code kubernetes.io/dockerconfigjson} secret ({@code
 * .dockerconfigjson}: {@code {"auths": {...}}}) or of a {@code kubernetes.io/dockercfg} secret
 * ({@code .dockercfg}: the bare map).
 */
public final class PullSecretKeyring implements CredentialProvider {

  private PullSecretKeyring() {}

  /** An empty keyring. */
  public static PullSecretKeyring empty() {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** A copy with the entries of a {@code .dockerconfigjson} payload added. */
  public PullSecretKeyring withDockerConfigJson(String source, byte[] payload) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** A copy with the entries of a {@code .dockercfg} payload added. */
  public PullSecretKeyring withDockerCfg(String source, byte[] payload) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Every matching credential, most specific match first. */
  public List<Credential> credentialsFor(String registry, String repository) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  @Override
  public Optional<Credential> credentialFor(String registry, String repository) {
    return credentialsFor(registry, repository).stream().findFirst();
  }
}
