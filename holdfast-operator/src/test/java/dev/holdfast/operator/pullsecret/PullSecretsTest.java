package dev.holdfast.operator.pullsecret;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.auth.Credential;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.ImagePolicySpec.Destination;
import dev.holdfast.operator.policy.CredentialSecrets;
import dev.holdfast.operator.policy.Policy;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pull secret a namespace gets: its name, labels and {@code .dockerconfigjson}, and when it needs rewriting. */
class PullSecretsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Policy policy(String name, String registry) {
    return Policy.of(name, ImagePolicySpec.to(Destination.of(registry, "keep")), 1);
  }

  private static JsonNode dockerConfig(Secret secret) throws Exception {
    String encoded = secret.getData().get(".dockerconfigjson");
    return JSON.readTree(Base64.getDecoder().decode(encoded));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  // --- name and metadata ---

  @Test
  void theImplicitPolicysSecretIsHoldfastPullAndOthersCarryThePolicyName() {
    assertThat(PullSecrets.nameFor(policy(Policy.IMPLICIT, "copies.example.com"))).isEqualTo("holdfast-pull");
    assertThat(PullSecrets.nameFor(policy("team-a", "copies.example.com"))).isEqualTo("holdfast-pull-team-a");
  }

  @Test
  void theSecretIsADockerConfigJsonSecretLabelledForItsPolicy() {
    Secret secret = PullSecrets.desired("shop", policy("team-a", "copies.example.com"),
        new Credential.Basic("puller", "s3cret"));

    assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
    assertThat(secret.getMetadata().getName()).isEqualTo("holdfast-pull-team-a");
    assertThat(secret.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(secret.getMetadata().getLabels()).isEqualTo(Map.of("app.kubernetes.io/managed-by", "holdfast",
        "holdfast.dev/policy", "team-a"));
    assertThat(secret.getData()).containsOnlyKeys(".dockerconfigjson");
    assertThat(PullSecrets.SELECTOR).isEqualTo("app.kubernetes.io/managed-by=holdfast,holdfast.dev/policy");
  }

  // --- .dockerconfigjson ---

  @Test
  void theConfigHoldsOneEntryForTheDestinationRegistry() throws Exception {
    Secret secret = PullSecrets.desired("shop", policy("team-a", "copies.example.com:5443"),
        new Credential.Basic("puller", "s3cret"));

    JsonNode config = dockerConfig(secret);

    assertThat(config.size()).isEqualTo(1);
    JsonNode auths = config.get("auths");
    assertThat(auths.size()).isEqualTo(1);
    JsonNode entry = auths.get("copies.example.com:5443");
    assertThat(entry.get("username").asText()).isEqualTo("puller");
    assertThat(entry.get("password").asText()).isEqualTo("s3cret");
    assertThat(decode(entry.get("auth").asText())).isEqualTo("puller:s3cret");
    Iterator<String> fields = entry.fieldNames();
    assertThat(fields).toIterable().containsExactly("username", "password", "auth");
  }

  @ParameterizedTest(name = "password {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      plain
      with "quotes"
      back\\slash
      both \\" mixed
      trailing\\
      `{"auths":{}}`
      tab\there
      ünïcødé ✓
      `'single' and spaces `
      """)
  void passwordsAreEscapedSoTheJsonReadsBackExactly(String text) throws Exception {
    String password = text.replace("\\t", "\t");
    Credential.Basic credential = new Credential.Basic("robot$team+pull", password);

    Secret secret = PullSecrets.desired("shop", policy("team-a", "copies.example.com"), credential);

    JsonNode entry = dockerConfig(secret).get("auths").get("copies.example.com");
    assertThat(entry.get("username").asText()).isEqualTo("robot$team+pull");
    assertThat(entry.get("password").asText()).isEqualTo(password);
    assertThat(decode(entry.get("auth").asText())).isEqualTo("robot$team+pull:" + password);
  }

  @Test
  void controlCharactersAreEscaped() throws Exception {
    String password = "line1\nline2\r\u0001\u001f";

    Secret secret = PullSecrets.desired("shop", policy("team-a", "copies.example.com"),
        new Credential.Basic("u", password));

    String raw = decode(secret.getData().get(".dockerconfigjson"));
    assertThat(raw).doesNotContain("\n").doesNotContain("\r");
    assertThat(dockerConfig(secret).at("/auths/copies.example.com/password").asText()).isEqualTo(password);
  }

  @Test
  void theLibrarysKeyringReadsTheSameCredentialBack() {
    Credential.Basic credential = new Credential.Basic("puller", "pa\"ss\\word");
    Secret secret = PullSecrets.desired("shop", policy("team-a", "copies.example.com"), credential);

    assertThat(CredentialSecrets.basic(secret, "copies.example.com")).isEqualTo(credential);
  }

  // --- upToDate ---

  private static Secret desired() {
    return PullSecrets.desired("shop", policy("team-a", "copies.example.com"), new Credential.Basic("u", "p"));
  }

  @Test
  void theSameSecretIsUpToDate() {
    assertThat(PullSecrets.upToDate(desired(), desired())).isTrue();
  }

  @Test
  void extraLabelsAnnotationsAndServerFieldsDoNotMatter() {
    Secret existing = new SecretBuilder(desired()).editMetadata().addToLabels("extra", "x")
        .addToAnnotations("note", "y").withResourceVersion("42").withUid("abc").endMetadata().build();

    assertThat(PullSecrets.upToDate(existing, desired())).isTrue();
  }

  @Test
  void aMissingSecretIsNotUpToDate() {
    assertThat(PullSecrets.upToDate(null, desired())).isFalse();
  }

  @Test
  void aChangedCredentialIsNotUpToDate() {
    Secret other = PullSecrets.desired("shop", policy("team-a", "copies.example.com"), new Credential.Basic("u", "p2"));

    assertThat(PullSecrets.upToDate(other, desired())).isFalse();
  }

  @Test
  void aChangedRegistryIsNotUpToDate() {
    Secret other = PullSecrets.desired("shop", policy("team-a", "other.example.com"), new Credential.Basic("u", "p"));

    assertThat(PullSecrets.upToDate(other, desired())).isFalse();
  }

  @Test
  void aWrongTypeIsNotUpToDate() {
    Secret opaque = new SecretBuilder(desired()).withType("Opaque").build();

    assertThat(PullSecrets.upToDate(opaque, desired())).isFalse();
  }

  @Test
  void missingOrChangedLabelsAreNotUpToDate() {
    Secret noLabels = new SecretBuilder(desired()).editMetadata().withLabels(null).endMetadata().build();
    Map<String, String> otherPolicy = new HashMap<>(desired().getMetadata().getLabels());
    otherPolicy.put(PullSecrets.POLICY_LABEL, "team-b");
    Secret relabelled = new SecretBuilder(desired()).editMetadata().withLabels(otherPolicy).endMetadata().build();

    assertThat(PullSecrets.upToDate(noLabels, desired())).isFalse();
    assertThat(PullSecrets.upToDate(relabelled, desired())).isFalse();
  }

  @Test
  void extraOrMissingDataIsNotUpToDate() {
    Secret extra = new SecretBuilder(desired()).addToData("other", "eA==").build();
    Secret none = new SecretBuilder(desired()).withData(null).build();

    assertThat(PullSecrets.upToDate(extra, desired())).isFalse();
    assertThat(PullSecrets.upToDate(none, desired())).isFalse();
  }
}
