package dev.holdfast.operator.policy;

import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.auth.CredentialException;
import dev.holdfast.oci.auth.PullSecretKeyring;
import dev.holdfast.operator.api.SecretReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Reads credentials out of Secrets: {@code username} and {@code password} keys (as {@code
 * kubernetes.io/basic-auth} has them), or a {@code .dockerconfigjson} / {@code .dockercfg} entry
 * for the registry. Errors name the Secret, never a value.
 */
public final class CredentialSecrets {
  private final KubernetesClient client;

  public CredentialSecrets(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The user name and password that {@code reference} holds for {@code registry}.
   *
   * @throws InvalidCredentialsException naming the Secret when it is missing or holds none
   */
  public Credential.Basic basic(SecretReference reference, String registry) {
    Secret secret = client.secrets().inNamespace(reference.namespace()).withName(reference.name()).get();
    if (secret == null) {
      throw new InvalidCredentialsException("Secret " + reference + " does not exist");
    }
    return basic(secret, registry);
  }

  /** The user name and password {@code secret} holds for {@code registry}. */
  public static Credential.Basic basic(Secret secret, String registry) {
    String name = "Secret " + secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName();
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    Optional<String> username = value(data, "username");
    Optional<String> password = value(data, "password");
    if (username.isPresent() && password.isPresent()) {
      return new Credential.Basic(username.get(), password.get());
    }
    try {
      PullSecretKeyring keyring = withPayloads(PullSecretKeyring.empty(), name, data);
      Optional<Credential> credential = keyring.credentialFor(registry, "");
      if (credential.isEmpty()) {
        throw new InvalidCredentialsException(name + " has neither username and password keys nor a"
            + " .dockerconfigjson entry for " + registry);
      }
      if (credential.get() instanceof Credential.Basic basic) {
        return basic;
      }
      throw new InvalidCredentialsException(name + ": the entry for " + registry
          + " holds a token, and Holdfast needs a user name and password");
    } catch (CredentialException e) {
      throw new InvalidCredentialsException(e.getMessage());
    }
  }

  /**
   * {@code keyring} with the entries of an image pull secret's data ({@code .dockerconfigjson} or
   * {@code .dockercfg}) added.
   *
   * @throws CredentialException naming the Secret when a payload is malformed
   */
  public static PullSecretKeyring withPayloads(PullSecretKeyring keyring, String name, Map<String, String> data) {
    if (data.containsKey(".dockerconfigjson")) {
      keyring = keyring.withDockerConfigJson(name, Base64.getDecoder().decode(data.get(".dockerconfigjson")));
    }
    if (data.containsKey(".dockercfg")) {
      keyring = keyring.withDockerCfg(name, Base64.getDecoder().decode(data.get(".dockercfg")));
    }
    return keyring;
  }

  private static Optional<String> value(Map<String, String> data, String key) {
    String encoded = data.get(key);
    return encoded == null ? Optional.empty()
        : Optional.of(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).strip());
  }

  /** Credentials that cannot be read; the message names the Secret. */
  public static final class InvalidCredentialsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidCredentialsException(String message) {
      super(message);
    }
  }
}
