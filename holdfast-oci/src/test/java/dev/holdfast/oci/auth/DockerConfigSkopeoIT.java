package dev.holdfast.oci.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Auth-file key matching checked against skopeo, the reference client: for each query, the user
 * name {@code skopeo login --get-login} finds in an auth file must be the one DockerConfig finds
 * (both reading the same file; skopeo needs no registry for this).
 */
class DockerConfigSkopeoIT {
  @TempDir static Path dir;
  static Path authFile;
  static DockerConfig config;

  static String entry(String key, String user) {
    String auth = Base64.getEncoder().encodeToString((user + ":pw-" + user).getBytes(StandardCharsets.UTF_8));
    return "\"" + key + "\": {\"auth\": \"" + auth + "\"}";
  }

  @BeforeAll
  static void writeAuthFile() throws IOException {
    authFile = dir.resolve("auth.json");
    Files.writeString(authFile, "{\"auths\": {" + String.join(",",
        entry("https://index.docker.io/v1/", "hub"),
        entry("http://localhost:5000", "local"),
        entry("https://registry.example.com/v2/", "url-with-path"),
        entry("quay.io", "quay"),
        entry("quay.io/team", "quay-team"),
        entry("quay.io/team/app", "quay-team-app"),
        entry("ghcr.io/org/", "ghcr-org"),
        entry("[::1]:5000", "ipv6")) + "}}");
    config = DockerConfig.read(authFile, CredentialHelpers.onPath(List.of()));
  }

  static Optional<String> skopeoGetLogin(String query) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("skopeo", "login", "--get-login", "--authfile", authFile.toString(), query)
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    if (process.exitValue() != 0) {
      assertThat(output).as("skopeo login --get-login %s", query).contains("not logged into");
      return Optional.empty();
    }
    return Optional.of(output);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "docker.io", "docker.io/library/nginx", "index.docker.io",
      "localhost:5000", "localhost:5000/a/b", "localhost", "localhost:5001",
      "registry.example.com", "registry.example.com/x",
      "quay.io", "quay.io/other/app", "quay.io/team", "quay.io/team/app", "quay.io/team/app2",
      "quay.io/teamwork/app",
      "ghcr.io", "ghcr.io/org", "ghcr.io/org/app",
      // "[::1]:5000/app" is left out: skopeo 1.9 cannot parse IPv6 references with a path
      "[::1]:5000",
      "unknown.example.com"})
  void sameUserAsSkopeo(String query) throws Exception {
    String registry = query.contains("/") ? query.substring(0, query.indexOf('/')) : query;
    String repository = query.contains("/") ? query.substring(query.indexOf('/') + 1) : "";

    Optional<String> ours = config.credentialFor(registry, repository)
        .map(c -> ((Credential.Basic) c).username());

    assertThat(ours).isEqualTo(skopeoGetLogin(query));
  }
}
