package dev.holdfast.operator.pullsecret;

import dev.holdfast.oci.auth.Credential;
import dev.holdfast.operator.policy.Policy;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * The pull secret a namespace gets for a policy's copies: one {@code kubernetes.io/dockerconfigjson}
 * Secret with pull-only credentials for the destination registry, labelled so that the operator (and
 * an uninstall) can find it.
 */
public final class PullSecrets {
  /** The label every object Holdfast owns carries. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String HOLDFAST = "holdfast";
  /** Which policy a pull secret serves. */
  public static final String POLICY_LABEL = "holdfast.dev/policy";
  /** The label selector of Holdfast's pull secrets. */
  public static final String SELECTOR = MANAGED_BY + "=" + HOLDFAST + "," + POLICY_LABEL;

  private PullSecrets() {}

  /** The name of a policy's pull secret: {@code holdfast-pull}, or {@code holdfast-pull-POLICY}. */
  public static String nameFor(Policy policy) {
    return policy.isImplicit() ? "holdfast-pull" : "holdfast-pull-" + policy.name();
  }

  /** The pull secret of {@code policy} in {@code namespace}. */
  public static Secret desired(String namespace, Policy policy, Credential.Basic credential) {
    String registry = policy.spec().destination().registry();
    String auth = Base64.getEncoder().encodeToString(
        (credential.username() + ":" + credential.password()).getBytes(StandardCharsets.UTF_8));
    String config = "{\"auths\":{" + json(registry) + ":{\"username\":" + json(credential.username())
        + ",\"password\":" + json(credential.password()) + ",\"auth\":" + json(auth) + "}}}";
    return new SecretBuilder()
        .withNewMetadata()
          .withName(nameFor(policy))
          .withNamespace(namespace)
          .withLabels(Map.of(MANAGED_BY, HOLDFAST, POLICY_LABEL, policy.name()))
        .endMetadata()
        .withType("kubernetes.io/dockerconfigjson")
        .withData(Map.of(".dockerconfigjson",
            Base64.getEncoder().encodeToString(config.getBytes(StandardCharsets.UTF_8))))
        .build();
  }

  /** Whether {@code existing} holds what {@code desired} does (type, labels, data). */
  public static boolean upToDate(Secret existing, Secret desired) {
    return existing != null
        && Objects.equals(existing.getType(), desired.getType())
        && existing.getMetadata().getLabels() != null
        && existing.getMetadata().getLabels().entrySet().containsAll(desired.getMetadata().getLabels().entrySet())
        && Objects.equals(existing.getData(), desired.getData());
  }

  private static String json(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
