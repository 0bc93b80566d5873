package dev.holdfast.operator.policy;

import dev.holdfast.oci.auth.Credential;
import java.util.Optional;

/**
 * The credentials of a policy's destination.
 *
 * @param push may push copies
 * @param pull pull-only credentials for the namespaces' pull secrets
 */
public record RegistryCredentials(Optional<Credential.Basic> push, Optional<Credential.Basic> pull) {
  /** No credentials: the destination takes anonymous pushes and pulls. */
  public static final RegistryCredentials NONE = new RegistryCredentials(Optional.empty(), Optional.empty());

  /** What the namespaces get: the pull credentials, or else the push credentials. */
  public Optional<Credential.Basic> handedOut() {
    return pull.or(() -> push);
  }

  /** Lists which credentials are set; never a secret. */
  @Override
  public String toString() {
    return "RegistryCredentials[push=" + push.map(Credential.Basic::username).orElse("none")
        + ", pull=" + pull.map(Credential.Basic::username).orElse("none") + "]";
  }
}
