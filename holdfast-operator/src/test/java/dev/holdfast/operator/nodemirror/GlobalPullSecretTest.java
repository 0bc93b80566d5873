package dev.holdfast.operator.nodemirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.auth.Credential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GlobalPullSecretTest {
  private static final Credential.Basic NODES = new Credential.Basic("nodes", "s3cret");
  private static final String NODES_AUTH = "bm9kZXM6czNjcmV0"; // nodes:s3cret

  private static JsonNode parse(String json) throws Exception {
    return new ObjectMapper().readTree(json);
  }

  @Test
  void addsTheRegistryAndKeepsEveryOtherEntryAsItIs() throws Exception {
    String current = """
        {"auths":{"quay.io":{"auth":"cXVheTp4","email":"ops@example.com"},"registry.redhat.io":{"auth":"cmg6eA=="}}}""";

    JsonNode updated = parse(GlobalPullSecret.withRegistry(current, "copies.example.com", NODES).orElseThrow());

    assertThat(updated.path("auths").path("copies.example.com").path("auth").asText()).isEqualTo(NODES_AUTH);
    assertThat(updated.path("auths").path("quay.io")).isEqualTo(parse(current).path("auths").path("quay.io"));
    assertThat(updated.path("auths").path("registry.redhat.io").path("auth").asText()).isEqualTo("cmg6eA==");
    assertThat(updated.path("auths").size()).isEqualTo(3);
  }

  @Test
  void anEntryThatAlreadyHoldsTheCredentialIsNoChange() {
    String current = "{\"auths\":{\"copies.example.com\":{\"auth\":\"" + NODES_AUTH + "\"}}}";

    assertThat(GlobalPullSecret.withRegistry(current, "copies.example.com", NODES)).isEmpty();
  }

  @Test
  void anEntryWithOtherCredentialsIsReplaced() throws Exception {
    String current = "{\"auths\":{\"copies.example.com\":{\"auth\":\"b2xkOm9sZA==\"}}}";

    JsonNode updated = parse(GlobalPullSecret.withRegistry(current, "copies.example.com", NODES).orElseThrow());

    assertThat(updated.path("auths").path("copies.example.com").path("auth").asText()).isEqualTo(NODES_AUTH);
  }

  @Test
  void anEmptySecretGetsAnAuthsObject() throws Exception {
    JsonNode updated = parse(GlobalPullSecret.withRegistry("", "copies.example.com:5000", NODES).orElseThrow());

    assertThat(updated.path("auths").path("copies.example.com:5000").path("auth").asText()).isEqualTo(NODES_AUTH);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1,2]", "{\"auths\":[]}", "{\"auths\":", "not json s3cret"})
  void contentThatIsNotADockerConfigIsRefusedWithoutQuotingIt(String current) {
    assertThatThrownBy(() -> GlobalPullSecret.withRegistry(current, "copies.example.com", NODES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("openshift-config/pull-secret .dockerconfigjson")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
  }
}
