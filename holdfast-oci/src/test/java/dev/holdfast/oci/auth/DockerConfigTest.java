package dev.holdfast.oci.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DockerConfigTest {
  @TempDir Path dir;
  Path bin;
  CredentialHelpers helpers;

  static final String HELPER = """
      #!/bin/sh
      # A stand-in for docker-credential-<name>: answers from a fixed table and logs each call.
      read -r server
      echo "$1 $server" >> "$(dirname "$0")/calls.log"
      case "$1|$server" in
        "get|registry.example.com")
          echo '{"ServerURL":"registry.example.com","Username":"helper-user","Secret":"helper-s3cr3t"}' ;;
        "get|https://index.docker.io/v1/")
          echo '{"ServerURL":"https://index.docker.io/v1/","Username":"<token>","Secret":"hub-refresh-s3cr3t"}' ;;
        "get|broken.example.com")
          echo "error talking to the keychain"; exit 3 ;;
        "get|garbage.example.com")
          echo 'Username: leaked-s3cr3t' ;;
        "get|slow.example.com")
          exec sleep 10 ;;
        *)
          echo "credentials not found in native keychain"; exit 1 ;;
      esac
      """;

  static String basic(String user, String password) {
    return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @BeforeEach
  void installHelper() throws IOException {
    bin = Files.createDirectory(dir.resolve("bin"));
    Path script = bin.resolve("docker-credential-test");
    Files.writeString(script, HELPER);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    // a non-executable file with another helper's name must not be run
    Files.writeString(bin.resolve("docker-credential-notexec"), HELPER);
    helpers = CredentialHelpers.onPath(List.of(dir.resolve("empty"), bin));
  }

  DockerConfig config(String json) {
    return DockerConfig.parse("test config.json", json.getBytes(StandardCharsets.UTF_8), helpers);
  }

  List<String> calls() throws IOException {
    Path log = bin.resolve("calls.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  // --- auths ---

  @ParameterizedTest(name = "[{index}] key {0} -> {1}/{2}: {3}")
  @CsvSource(delimiter = '|', textBlock = """
      # plain hosts, host:port, case
      registry.example.com              | registry.example.com      | team/app      | true
      registry.example.com              | other.example.com         | team/app      | false
      localhost:5000                    | localhost:5000            | app           | true
      localhost:5000                    | localhost                 | app           | false
      Registry.Example.com              | registry.example.com      | app           | true
      # URLs are cut to their host
      https://registry.example.com/v2/  | registry.example.com      | app           | true
      http://localhost:5000             | localhost:5000            | app           | true
      https://registry.example.com/team | registry.example.com      | other/app     | true
      # namespace keys (Podman) match the repository and its children
      registry.example.com/team         | registry.example.com      | team/app      | true
      registry.example.com/team         | registry.example.com      | team/sub/app  | true
      registry.example.com/team         | registry.example.com      | teamwork/app  | false
      registry.example.com/team/        | registry.example.com      | team/app      | false
      registry.example.com/team/app     | registry.example.com      | team          | false
      # Docker Hub and its legacy key
      https://index.docker.io/v1/       | docker.io                 | library/nginx | true
      index.docker.io                   | docker.io                 | library/nginx | true
      docker.io                         | docker.io                 | library/nginx | true
      registry-1.docker.io              | docker.io                 | library/nginx | true
      https://index.docker.io/v1/       | index.docker.io           | library/nginx | true
      https://index.docker.io/v1/       | quay.io                   | library/nginx | false
      """)
  void authsMatching(String key, String registry, String repository, boolean matches) {
    DockerConfig config = config("{\"auths\": {\"" + key + "\": {\"auth\": \"" + basic("u", "p") + "\"}}}");
    assertThat(config.credentialFor(registry, repository))
        .isEqualTo(matches ? Optional.of(new Credential.Basic("u", "p")) : Optional.empty());
  }

  @Test
  void mostSpecificNamespaceWins() {
    DockerConfig config = config("""
        {"auths": {
          "registry.example.com": {"username": "host", "password": "1"},
          "registry.example.com/team": {"username": "team", "password": "2"},
          "registry.example.com/team/app": {"username": "app", "password": "3"}
        }}""");
    assertThat(config.credentialFor("registry.example.com", "team/app")).contains(new Credential.Basic("app", "3"));
    assertThat(config.credentialFor("registry.example.com", "team/other")).contains(new Credential.Basic("team", "2"));
    assertThat(config.credentialFor("registry.example.com", "x/y")).contains(new Credential.Basic("host", "1"));
  }

  @Test
  void entryKinds() {
    DockerConfig config = config("""
        {"auths": {
          "basic.example.com": {"auth": "%s"},
          "split.example.com": {"username": "alice", "password": "pw:with:colons"},
          "auth-wins.example.com": {"auth": "%s", "username": "ignored", "password": "ignored"},
          "identity.example.com": {"auth": "%s", "identitytoken": "refresh"},
          "registrytoken.example.com": {"registrytoken": "bearer"},
          "placeholder.example.com": {},
          "emptyauth.example.com": {"auth": ""}
        }}""".formatted(basic("bob", "p:w"), basic("carol", "x"), basic("<token>", "")));
    assertThat(config.credentialFor("basic.example.com", "a")).contains(new Credential.Basic("bob", "p:w"));
    assertThat(config.credentialFor("split.example.com", "a")).contains(new Credential.Basic("alice", "pw:with:colons"));
    assertThat(config.credentialFor("auth-wins.example.com", "a")).contains(new Credential.Basic("carol", "x"));
    assertThat(config.credentialFor("identity.example.com", "a")).contains(new Credential.IdentityToken("refresh"));
    assertThat(config.credentialFor("registrytoken.example.com", "a")).contains(new Credential.RegistryToken("bearer"));
    assertThat(config.credentialFor("placeholder.example.com", "a")).isEmpty();
    assertThat(config.credentialFor("emptyauth.example.com", "a")).isEmpty();
  }

  @Test
  void emptyAndUnrelatedConfigsGiveNothing() {
    assertThat(config("{}").credentialFor("docker.io", "library/nginx")).isEmpty();
    assertThat(config("{\"HttpHeaders\": {\"User-Agent\": \"x\"}, \"auths\": {}}")
        .credentialFor("docker.io", "library/nginx")).isEmpty();
  }

  // --- helpers ---

  @Test
  void credHelperIsRunWithTheHostOnStdin() throws IOException {
    DockerConfig config = config("{\"credHelpers\": {\"registry.example.com\": \"test\"}}");
    assertThat(config.credentialFor("registry.example.com", "team/app"))
        .contains(new Credential.Basic("helper-user", "helper-s3cr3t"));
    assertThat(calls()).containsExactly("get registry.example.com");
  }

  @Test
  void credHelperAnswersAreCached() throws IOException {
    DockerConfig config = config("{\"credHelpers\": {\"registry.example.com\": \"test\"}}");
    config.credentialFor("registry.example.com", "a");
    config.credentialFor("registry.example.com", "b");
    assertThat(calls()).hasSize(1);
  }

  @Test
  void credHelperWinsOverAuths() {
    DockerConfig config = config("""
        {"auths": {"registry.example.com": {"auth": "%s"}},
         "credHelpers": {"registry.example.com": "test"}}""".formatted(basic("file", "x")));
    assertThat(config.credentialFor("registry.example.com", "a"))
        .contains(new Credential.Basic("helper-user", "helper-s3cr3t"));
  }

  @Test
  void dockerHubIsAskedForWithTheLegacyServerUrlAndTokenUserMeansIdentityToken() throws IOException {
    DockerConfig config = config("{\"credHelpers\": {\"index.docker.io\": \"test\"}}");
    assertThat(config.credentialFor("docker.io", "library/nginx"))
        .contains(new Credential.IdentityToken("hub-refresh-s3cr3t"));
    assertThat(calls()).containsExactly("get https://index.docker.io/v1/");
  }

  @Test
  void credsStoreIsTheDefaultAfterAuths() throws IOException {
    DockerConfig config = config("""
        {"auths": {"file.example.com": {"auth": "%s"}, "registry.example.com": {}},
         "credsStore": "test"}""".formatted(basic("file", "x")));
    assertThat(config.credentialFor("file.example.com", "a")).contains(new Credential.Basic("file", "x"));
    assertThat(config.credentialFor("registry.example.com", "a"))
        .contains(new Credential.Basic("helper-user", "helper-s3cr3t"));
    assertThat(config.credentialFor("unknown.example.com", "a")).isEmpty();
    assertThat(calls()).containsExactly("get registry.example.com", "get unknown.example.com");
  }

  @Test
  void missingCredsStoreExecutableMeansNoCredential() {
    DockerConfig config = config("{\"credsStore\": \"osxkeychain\"}");
    assertThat(config.credentialFor("registry.example.com", "a")).isEmpty();
  }

  @Test
  void missingCredHelperExecutableIsAnError() {
    DockerConfig config = config("{\"credHelpers\": {\"registry.example.com\": \"notexec\"}}");
    assertThatThrownBy(() -> config.credentialFor("registry.example.com", "a"))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("docker-credential-notexec")
        .hasMessageContaining("registry.example.com");
  }

  @Test
  void failingHelperIsAnErrorNamingHelperAndServer() {
    assertThatThrownBy(() -> helpers.get("test", "broken.example.com"))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("docker-credential-test")
        .hasMessageContaining("broken.example.com")
        .hasMessageContaining("status 3")
        .hasMessageContaining("error talking to the keychain");
  }

  @Test
  void helperNonsenseIsAnErrorThatDoesNotEchoTheOutput() {
    assertThatThrownBy(() -> helpers.get("test", "garbage.example.com"))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("not JSON")
        .hasMessageNotContaining("s3cr3t")
        .satisfies(e -> assertThat(e.getCause()).isNull());
  }

  @Test
  void helperThatHangsIsStopped() {
    CredentialHelpers quick = helpers.withTimeout(Duration.ofMillis(300));
    assertThatThrownBy(() -> quick.get("test", "slow.example.com"))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("no answer within");
  }

  @Test
  void notFoundIsNoCredential() {
    assertThat(helpers.get("test", "unknown.example.com")).isEmpty();
  }

  @Test
  void helperNamesCannotEscapeTheSearchPath() {
    assertThatThrownBy(() -> helpers.get("../../bin/sh", "x"))
        .isInstanceOf(CredentialException.class).hasMessageContaining("invalid credential helper name");
  }

  // --- malformed files ---

  @Test
  void malformedFilesNameTheSourceAndFieldButNoSecret() {
    assertThatThrownBy(() -> config("{\"auths\": {\"r.example.com\": {\"auth\": \"hunter2-s3cr3t\"}"))
        .isInstanceOf(CredentialException.class).hasMessageContaining("test config.json")
        .hasMessageContaining("not valid JSON").hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> config("{\"auths\": []}"))
        .isInstanceOf(CredentialException.class).hasMessageContaining("\"auths\" must be a JSON object");
    assertThatThrownBy(() -> config("{\"auths\": {\"r.example.com\": {\"password\": 5}}}"))
        .isInstanceOf(CredentialException.class).hasMessageContaining("r.example.com")
        .hasMessageContaining("\"password\" must be a string");
    assertThatThrownBy(() -> config("{\"credHelpers\": {\"r.example.com\": 1}}"))
        .isInstanceOf(CredentialException.class).hasMessageContaining("credHelpers entry \"r.example.com\"");
    assertThatThrownBy(() -> config("[]"))
        .isInstanceOf(CredentialException.class).hasMessageContaining("must be a JSON object");
  }

  @Test
  void toStringShowsNoSecret() {
    DockerConfig config = config("{\"auths\": {\"r.example.com\": {\"auth\": \"" + basic("u", "s3cr3t") + "\"}}}");
    assertThat(config.toString()).contains("r.example.com").doesNotContain("s3cr3t")
        .doesNotContain(basic("u", "s3cr3t"));
  }

  // --- locations ---

  @Test
  void candidateLocationsFollowPodmanThenDocker() {
    Map<String, String> env = Map.of(
        "HOME", "/home/u",
        "REGISTRY_AUTH_FILE", "/etc/auth.json",
        "XDG_RUNTIME_DIR", "/run/user/1000",
        "DOCKER_CONFIG", "/opt/docker");
    assertThat(DockerConfig.candidateLocations(env)).containsExactly(
        Path.of("/etc/auth.json"),
        Path.of("/run/user/1000/containers/auth.json"),
        Path.of("/home/u/.config/containers/auth.json"),
        Path.of("/opt/docker/config.json"),
        Path.of("/home/u/.dockercfg"));
    assertThat(DockerConfig.candidateLocations(Map.of("HOME", "/home/u", "XDG_CONFIG_HOME", "/cfg")))
        .containsExactly(
            Path.of("/cfg/containers/auth.json"),
            Path.of("/home/u/.docker/config.json"),
            Path.of("/home/u/.dockercfg"));
    assertThat(DockerConfig.candidateLocations(Map.of())).isEmpty();
  }

  @Test
  void defaultLocationIsTheFirstExistingFile() throws IOException {
    Path home = Files.createDirectory(dir.resolve("home"));
    Map<String, String> env = Map.of("HOME", home.toString(), "XDG_RUNTIME_DIR", dir.resolve("run").toString());
    assertThat(DockerConfig.defaultLocation(env)).isEmpty();

    Path docker = home.resolve(".docker/config.json");
    Files.createDirectories(docker.getParent());
    Files.writeString(docker, "{\"auths\": {\"r.example.com\": {\"auth\": \"" + basic("docker", "1") + "\"}}}");
    assertThat(DockerConfig.defaultLocation(env)).contains(docker);

    Path podman = dir.resolve("run/containers/auth.json");
    Files.createDirectories(podman.getParent());
    Files.writeString(podman, "{\"auths\": {\"other.example.com\": {\"auth\": \"" + basic("podman", "2") + "\"}}}");
    assertThat(DockerConfig.defaultLocation(env)).contains(podman);

    Files.writeString(home.resolve(".dockercfg"), "{\"https://legacy.example.com/v1/\": {\"auth\": \""
        + basic("legacy", "3") + "\"}}");

    CredentialProvider all = DockerConfig.fromDefaultLocations(env, helpers);
    assertThat(all.credentialFor("other.example.com", "a")).contains(new Credential.Basic("podman", "2"));
    assertThat(all.credentialFor("r.example.com", "a")).contains(new Credential.Basic("docker", "1"));
    assertThat(all.credentialFor("legacy.example.com", "a")).contains(new Credential.Basic("legacy", "3"));
    assertThat(all.credentialFor("none.example.com", "a")).isEmpty();
  }

  @Test
  void readNamesTheMissingFile() {
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> DockerConfig.read(missing, helpers))
        .isInstanceOf(CredentialException.class).hasMessageContaining(missing.toString());
  }
}
