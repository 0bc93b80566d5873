package dev.holdfast.operator.nodemirror;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.oci.auth.Credential;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The entry for the copies' registry in OpenShift's global pull secret ({@code
 * openshift-config/pull-secret}), through which every node pulls: the nodes of a NodeMirror policy
 * pull the copies with it. Only that registry's entry is added or replaced; every other entry is kept
 * as it is. Pure.
 */
public final class GlobalPullSecret {
  /** Where OpenShift keeps it. */
  public static final String NAMESPACE = "openshift-config";
  /** Its name. */
  public static final String NAME = "pull-secret";
  /** Its key. */
  public static final String KEY = ".dockerconfigjson";

  private static final ObjectMapper JSON = new ObjectMapper();

  private GlobalPullSecret() {}

  /**
   * The secret's {@code .dockerconfigjson} with {@code registry}'s entry set to {@code credential};
   * empty when it already holds exactly that.
   *
   * @throws IllegalArgumentException when the current content is not a Docker config JSON object
   *     (the secret is then left alone; the message never holds its content)
   */
  public static Optional<String> withRegistry(String current, String registry, Credential.Basic credential) {
    ObjectNode config;
    try {
      JsonNode parsed = current == null || current.isBlank() ? JSON.createObjectNode() : JSON.readTree(current);
      if (!(parsed instanceof ObjectNode object)) {
        throw new IllegalArgumentException(NAMESPACE + "/" + NAME + " " + KEY + " is not a JSON object");
      }
      config = object;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(NAMESPACE + "/" + NAME + " " + KEY + " is not valid JSON (line "
          + e.getLocation().getLineNr() + ")");
    }
    JsonNode auths = config.get("auths");
    if (auths != null && !(auths instanceof ObjectNode)) {
      throw new IllegalArgumentException(NAMESPACE + "/" + NAME + " " + KEY + ": auths is not a JSON object");
    }
    ObjectNode entries = auths == null ? config.putObject("auths") : (ObjectNode) auths;
    String auth = Base64.getEncoder().encodeToString((credential.username() + ":" + credential.password())
        .getBytes(StandardCharsets.UTF_8));
    JsonNode existing = entries.get(registry);
    if (existing != null && existing.path("auth").asText("").equals(auth)) {
      return Optional.empty();
    }
    entries.putObject(registry).put("auth", auth);
    return Optional.of(config.toString());
  }
}
