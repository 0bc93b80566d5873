package dev.holdfast.oci.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PullSecretKeyringTest {

  /** A keyring with one entry whose user name is the key itself, so a test can tell which matched. */
  static PullSecretKeyring keyringWith(String... keys) {
    String auths = Stream.of(keys)
        .map(key -> "\"" + key + "\": {\"username\": \"" + key + "\", \"password\": \"pw\"}")
        .collect(Collectors.joining(","));
    return PullSecretKeyring.empty().withDockerConfigJson("secret test/regcred",
        ("{\"auths\": {" + auths + "}}").getBytes(StandardCharsets.UTF_8));
  }

  static String basic(String user, String password) {
    return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  static List<String> usersFor(PullSecretKeyring keyring, String registry, String repository) {
    return keyring.credentialsFor(registry, repository).stream()
        .map(c -> ((Credential.Basic) c).username()).toList();
  }

  @ParameterizedTest(name = "[{index}] key {0} vs {1}/{2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      # host
      registry.example.com                 | registry.example.com  | team/app      | true
      registry.example.com                 | other.example.com     | team/app      | false
      registry.example.com                 | example.com           | team/app      | false
      Registry.Example.COM                 | registry.example.com  | team/app      | true
      # host:port, port must match exactly when present on either side
      registry.example.com:5000            | registry.example.com:5000 | app       | true
      registry.example.com:5000            | registry.example.com  | app           | false
      registry.example.com                 | registry.example.com:5000 | app       | false
      localhost:5000                       | localhost:5000        | app           | true
      localhost:5000                       | localhost:5001        | app           | false
      [::1]:5000                           | [::1]:5000            | app           | true
      # path prefix (a string prefix, as the kubelet does it)
      registry.example.com/team            | registry.example.com  | team/app      | true
      registry.example.com/team            | registry.example.com  | other/app     | false
      registry.example.com/team/app        | registry.example.com  | team/app      | true
      registry.example.com/team            | registry.example.com  | teamwork/app  | true
      # wildcards: one label per *
      *.example.com                        | registry.example.com  | app           | true
      *.example.com                        | a.b.example.com       | app           | false
      *.example.com                        | example.com           | app           | false
      *.*.example.com                      | a.b.example.com       | app           | true
      registry.*.com                       | registry.example.com  | app           | true
      reg*.example.com                     | registry.example.com  | app           | true
      reg?stry.example.com                 | registry.example.com  | app           | true
      r[a-f]gistry.example.com             | registry.example.com  | app           | true
      r[^e]gistry.example.com              | registry.example.com  | app           | false
      *.example.com:5000                   | registry.example.com:5000 | app       | true
      *.example.com:5000                   | registry.example.com  | app           | false
      [bad.example.com                     | [bad.example.com      | app           | false
      # scheme-prefixed keys and /v1/, /v2/ paths
      https://registry.example.com         | registry.example.com  | app           | true
      http://registry.example.com:5000     | registry.example.com:5000 | app       | true
      https://registry.example.com/v2/     | registry.example.com  | app           | true
      https://registry.example.com/v1/team | registry.example.com  | team/app      | true
      https://registry.example.com/v1/team | registry.example.com  | other/app     | false
      # docker.io
      docker.io                            | docker.io             | library/nginx | true
      https://index.docker.io/v1/          | docker.io             | library/nginx | true
      index.docker.io                      | docker.io             | library/nginx | true
      https://index.docker.io/v1/          | quay.io               | library/nginx | false
      docker.io/team                       | docker.io             | team/app      | true
      docker.io/team                       | docker.io             | library/nginx | false
      """)
  void matching(String key, String registry, String repository, boolean matches) {
    PullSecretKeyring keyring = keyringWith(key);
    assertThat(usersFor(keyring, registry, repository)).isEqualTo(matches ? List.of(key) : List.of());
    assertThat(keyring.credentialFor(registry, repository).isPresent()).isEqualTo(matches);
  }

  @Test
  void severalMatchesAreOrderedMostSpecificFirst() {
    PullSecretKeyring keyring = keyringWith(
        "*.example.com", "registry.example.com", "registry.example.com/team", "registry.example.com/team/app");

    assertThat(usersFor(keyring, "registry.example.com", "team/app")).containsExactly(
        "registry.example.com/team/app", "registry.example.com/team", "registry.example.com", "*.example.com");
    assertThat(keyring.credentialFor("registry.example.com", "team/app"))
        .contains(new Credential.Basic("registry.example.com/team/app", "pw"));
  }

  @Test
  void dockerHubLegacyKeyIsOnlyAFallback() {
    PullSecretKeyring keyring = keyringWith("https://index.docker.io/v1/", "docker.io/team");
    assertThat(usersFor(keyring, "docker.io", "team/app")).containsExactly("docker.io/team");
    assertThat(usersFor(keyring, "docker.io", "library/nginx")).containsExactly("https://index.docker.io/v1/");
  }

  @Test
  void credentialsOfSeveralSecretsForOneKeyAreAllReturnedInOrder() {
    PullSecretKeyring keyring = PullSecretKeyring.empty()
        .withDockerConfigJson("secret a/one", """
            {"auths": {"registry.example.com": {"username": "first", "password": "p1"}}}"""
            .getBytes(StandardCharsets.UTF_8))
        .withDockerCfg("secret a/two", """
            {"https://registry.example.com": {"auth": "%s", "email": "x@example.com"}}"""
            .formatted(basic("second", "p2")).getBytes(StandardCharsets.UTF_8));

    assertThat(keyring.credentialsFor("registry.example.com", "app")).containsExactly(
        new Credential.Basic("first", "p1"), new Credential.Basic("second", "p2"));
  }

  @Test
  void identityAndRegistryTokensAreKept() {
    PullSecretKeyring keyring = PullSecretKeyring.empty().withDockerConfigJson("secret a/tokens", """
        {"auths": {
          "id.example.com": {"auth": "%s", "identitytoken": "refresh-secret"},
          "rt.example.com": {"registrytoken": "bearer-secret"},
          "empty.example.com": {}
        }}""".formatted(basic("<token>", "")).getBytes(StandardCharsets.UTF_8));

    assertThat(keyring.credentialFor("id.example.com", "a")).contains(new Credential.IdentityToken("refresh-secret"));
    assertThat(keyring.credentialFor("rt.example.com", "a")).contains(new Credential.RegistryToken("bearer-secret"));
    assertThat(keyring.credentialFor("empty.example.com", "a")).isEmpty();
  }

  @Test
  void dockercfgPayloadInADockerConfigJsonSecretIsAClearError() {
    byte[] bare = ("{\"registry.example.com\": {\"auth\": \"" + basic("u", "secret-pw") + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> PullSecretKeyring.empty().withDockerConfigJson("secret a/wrong", bare))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("secret a/wrong")
        .hasMessageContaining("\"auths\"")
        .hasMessageContaining(".dockercfg");
  }

  @Test
  void malformedPayloadsNameTheSecretButNoSecret() {
    assertThatThrownBy(() -> PullSecretKeyring.empty().withDockerCfg("secret a/b",
        "{\"r.example.com\": {\"auth\": \"s3cr3t-not-base64!!\"}}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("secret a/b").hasMessageContaining("r.example.com")
        .hasMessageContaining("not valid base64")
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> PullSecretKeyring.empty().withDockerCfg("secret a/c",
        "{\"r.example.com\": {\"auth\": \"s3cr3t".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("secret a/c").hasMessageContaining("not valid JSON")
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> PullSecretKeyring.empty().withDockerCfg("secret a/d",
        ("{\"r.example.com\": {\"auth\": \"" + Base64.getEncoder().encodeToString(
            "nocolons3cr3t".getBytes(StandardCharsets.UTF_8)) + "\"}}").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("username:password").hasMessageNotContaining("s3cr3t");
  }

  @Test
  void toStringShowsKeysAndSourcesButNoSecret() {
    PullSecretKeyring keyring = keyringWith("registry.example.com");
    assertThat(keyring.toString()).contains("registry.example.com").contains("secret test/regcred")
        .doesNotContain("pw");
  }
}
