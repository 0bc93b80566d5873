package dev.holdfast.oci.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubelet credential provider plugins, with real plugin programs (bash scripts in a bin directory)
 * that record each request they get and answer what the test asks for.
 */
class KubeletCredentialProvidersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Records its stdin, arguments and $PLUGIN_MODE in $LOG (one line each), then answers from
   * $ANSWER: a file with the response, or "fail", "hang", "garbage".
   */
  private static final String PLUGIN = """
      #!/usr/bin/env bash
      request=$(cat)
      printf '%s\\t%s\\t%s\\n' "$request" "$*" "${PLUGIN_MODE:-}" >> "$LOG"
      case "$ANSWER" in
        fail) echo "no credentials for you: s3cr3t-from-stderr-is-fine" >&2; exit 3 ;;
        hang) sleep 30 ;;
        garbage) echo "password=hunter2 not json" ;;
        *) cat "$ANSWER" ;;
      esac
      """;

  @TempDir Path dir;
  Path bin;
  Path log;
  Path answer;

  @BeforeEach
  void plugin() throws IOException {
    bin = Files.createDirectories(dir.resolve("bin"));
    log = dir.resolve("requests.log");
    answer = dir.resolve("answer.json");
    for (String name : List.of("ecr-plugin", "other-plugin")) {
      Path script = bin.resolve(name);
      Files.writeString(script, PLUGIN);
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    answer("""
        {"apiVersion": "credentialprovider.kubelet.k8s.io/v1", "kind": "CredentialProviderResponse",
         "cacheKeyType": "Registry", "cacheDuration": "1h",
         "auth": {"*.dkr.ecr.*.amazonaws.com": {"username": "AWS", "password": "ecr-s3cr3t"},
                  "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team": {"username": "team", "password": "team-s3cr3t"}}}
        """);
  }

  private void answer(String json) throws IOException {
    Files.writeString(answer, json);
  }

  /** A config with one provider: ecr-plugin for ECR-style hosts, with args and env. */
  private KubeletCredentialProviders providers(String defaultCacheDuration) {
    return parse("""
        apiVersion: kubelet.config.k8s.io/v1
        kind: CredentialProviderConfig
        providers:
          - name: ecr-plugin
            matchImages: ["*.dkr.ecr.*.amazonaws.com", "*.dkr.ecr.*.amazonaws.com.cn"]
            defaultCacheDuration: "%s"
            apiVersion: credentialprovider.kubelet.k8s.io/v1
            args: [get-credentials, --verbose]
            env:
              - {name: PLUGIN_MODE, value: from-config}
              - {name: LOG, value: "%s"}
              - {name: ANSWER, value: "%s"}
        """.formatted(defaultCacheDuration, log, answer));
  }

  private KubeletCredentialProviders parse(String yaml) {
    return KubeletCredentialProviders.parse("providers.yaml", yaml.getBytes(StandardCharsets.UTF_8), bin);
  }

  private List<String> requests() throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  @Test
  void runsThePluginWithTheRequestItsArgsAndEnvAndUsesTheMostSpecificCredential() throws IOException {
    KubeletCredentialProviders providers = providers("12h");

    assertThat(providers.credentialFor("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "team/app"))
        .contains(new Credential.Basic("team", "team-s3cr3t"));

    List<String> requests = requests();
    assertThat(requests).hasSize(1);
    String[] fields = requests.get(0).split("\t");
    JsonNode request = JSON.readTree(fields[0]);
    assertThat(request.path("apiVersion").asText()).isEqualTo("credentialprovider.kubelet.k8s.io/v1");
    assertThat(request.path("kind").asText()).isEqualTo("CredentialProviderRequest");
    assertThat(request.path("image").asText()).isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app");
    assertThat(fields[1]).isEqualTo("get-credentials --verbose");
    assertThat(fields[2]).isEqualTo("from-config");
  }

  @Test
  void imagesTheProviderDoesNotMatchNeverRunIt() throws IOException {
    KubeletCredentialProviders providers = providers("12h");

    assertThat(providers.credentialFor("docker.io", "library/nginx")).isEmpty();
    // one label for each '*': the host must have as many labels as the pattern
    assertThat(providers.credentialFor("a.b.dkr.ecr.eu-west-1.amazonaws.com", "app")).isEmpty();

    assertThat(requests()).isEmpty();
  }

  @Test
  void anAnswerIsKeptForItsRegistryAndDuration() throws IOException {
    Instant start = Instant.parse("2026-11-21T10:00:00Z");
    MutableClock clock = new MutableClock(start);
    KubeletCredentialProviders providers = providers("12h").withClock(clock);
    String registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    assertThat(providers.credentialFor(registry, "one")).contains(new Credential.Basic("AWS", "ecr-s3cr3t"));
    assertThat(providers.credentialFor(registry, "two")).contains(new Credential.Basic("AWS", "ecr-s3cr3t"));
    assertThat(requests()).as("cacheKeyType Registry: one run for both repositories").hasSize(1);

    // another registry is another key
    assertThat(providers.credentialFor("210987654321.dkr.ecr.us-east-1.amazonaws.com", "one")).isPresent();
    assertThat(requests()).hasSize(2);

    // the response's cacheDuration (1h) wins over the provider's default (12h)
    clock.advance(Duration.ofMinutes(61));
    assertThat(providers.credentialFor(registry, "one")).isPresent();
    assertThat(requests()).hasSize(3);
  }

  @Test
  void imageKeysAndTheDefaultDurationApplyWhenTheResponseSaysSo() throws IOException {
    answer("""
        {"apiVersion": "credentialprovider.kubelet.k8s.io/v1", "kind": "CredentialProviderResponse",
         "cacheKeyType": "Image",
         "auth": {"*.dkr.ecr.*.amazonaws.com": {"username": "AWS", "password": "ecr-s3cr3t"}}}
        """);
    Instant start = Instant.parse("2026-11-21T10:00:00Z");
    MutableClock clock = new MutableClock(start);
    KubeletCredentialProviders providers = providers("10m").withClock(clock);
    String registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    providers.credentialFor(registry, "one");
    providers.credentialFor(registry, "one");
    providers.credentialFor(registry, "two");
    assertThat(requests()).as("cacheKeyType Image: one run per repository").hasSize(2);

    clock.advance(Duration.ofMinutes(9));
    providers.credentialFor(registry, "one");
    assertThat(requests()).hasSize(2);
    clock.advance(Duration.ofMinutes(2));
    providers.credentialFor(registry, "one");
    assertThat(requests()).as("defaultCacheDuration 10m has passed").hasSize(3);
  }

  @Test
  void aZeroDurationIsStillKeptForAFewSecondsNotForEveryRequest() throws IOException {
    Instant start = Instant.parse("2026-11-21T10:00:00Z");
    MutableClock clock = new MutableClock(start);
    KubeletCredentialProviders providers = providers("0").withClock(clock);
    answer(Files.readString(answer).replace("\"cacheDuration\": \"1h\",", ""));
    String registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    providers.credentialFor(registry, "one");
    providers.credentialFor(registry, "one");
    assertThat(requests()).hasSize(1);
    clock.advance(KubeletCredentialProviders.MIN_KEEP.plusMillis(1));
    providers.credentialFor(registry, "one");
    assertThat(requests()).hasSize(2);
  }

  @Test
  void concurrentLookupsOfOneImageRunThePluginOnce() throws Exception {
    KubeletCredentialProviders providers = providers("12h");
    List<Callable<Object>> lookups = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      lookups.add(() -> providers.credentialFor("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "app"));
    }
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Future<Object> result : pool.invokeAll(lookups)) {
        assertThat(result.get()).isEqualTo(java.util.Optional.of(new Credential.Basic("AWS", "ecr-s3cr3t")));
      }
    }
    assertThat(requests()).hasSize(1);
  }

  @Test
  void providersAreAskedInOrderAndTheFirstCredentialWins() throws IOException {
    Path otherAnswer = dir.resolve("other.json");
    Files.writeString(otherAnswer, """
        {"apiVersion": "credentialprovider.kubelet.k8s.io/v1beta1", "kind": "CredentialProviderResponse",
         "cacheKeyType": "Global", "auth": {"*.example.com": {"username": "other", "password": "other-s3cr3t"}}}
        """);
    answer("""
        {"apiVersion": "credentialprovider.kubelet.k8s.io/v1", "kind": "CredentialProviderResponse",
         "cacheKeyType": "Global", "auth": {}}
        """);
    KubeletCredentialProviders providers = parse("""
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: CredentialProviderConfig
        providers:
          - name: ecr-plugin
            matchImages: ["*.example.com"]
            defaultCacheDuration: 1h
            apiVersion: credentialprovider.kubelet.k8s.io/v1
            env: [{name: LOG, value: "%1$s"}, {name: ANSWER, value: "%2$s"}]
          - name: other-plugin
            matchImages: ["*.example.com"]
            defaultCacheDuration: 1h
            apiVersion: credentialprovider.kubelet.k8s.io/v1beta1
            env: [{name: LOG, value: "%1$s"}, {name: ANSWER, value: "%3$s"}]
        """.formatted(log, answer, otherAnswer));

    assertThat(providers.credentialFor("registry.example.com", "app"))
        .contains(new Credential.Basic("other", "other-s3cr3t"));
    assertThat(requests()).hasSize(2);
  }

  @Test
  void aFailingPluginIsAnErrorNamingItTheImageAndItsStderr() throws IOException {
    KubeletCredentialProviders failing = oneProvider("fail");

    assertThatThrownBy(() -> failing.credentialFor("1.dkr.ecr.eu-west-1.amazonaws.com", "app"))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("credential provider ecr-plugin (providers.yaml) for 1.dkr.ecr.eu-west-1.amazonaws.com/app")
        .hasMessageContaining("exited with status 3: no credentials for you");
    // a failure is not kept: the next lookup runs the plugin again
    assertThatThrownBy(() -> failing.credentialFor("1.dkr.ecr.eu-west-1.amazonaws.com", "app"))
        .isInstanceOf(CredentialException.class);
    assertThat(requests()).hasSize(2);
  }

  @Test
  void aPluginAnswerThatIsNotAResponseIsAnErrorThatDoesNotEchoIt() throws IOException {
    KubeletCredentialProviders garbage = oneProvider("garbage");
    assertThatThrownBy(() -> garbage.credentialFor("1.dkr.ecr.eu-west-1.amazonaws.com", "app"))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("the answer is not JSON")
        .hasMessageNotContaining("hunter2");

    answer("""
        {"apiVersion": "credentialprovider.kubelet.k8s.io/v1beta1", "kind": "CredentialProviderResponse",
         "cacheKeyType": "Image", "auth": {"*.dkr.ecr.*.amazonaws.com": {"username": "AWS", "password": "ecr-s3cr3t"}}}
        """);
    KubeletCredentialProviders wrongVersion = oneProvider(answer.toString());
    assertThatThrownBy(() -> wrongVersion.credentialFor("1.dkr.ecr.eu-west-1.amazonaws.com", "app"))
        .hasMessageContaining("apiVersion \"credentialprovider.kubelet.k8s.io/v1beta1\" is not the configured"
            + " credentialprovider.kubelet.k8s.io/v1")
        .hasMessageNotContaining("ecr-s3cr3t");

    answer("""
        {"apiVersion": "credentialprovider.kubelet.k8s.io/v1", "kind": "CredentialProviderResponse",
         "auth": {"*.dkr.ecr.*.amazonaws.com": {"username": "AWS", "password": "ecr-s3cr3t"}}}
        """);
    KubeletCredentialProviders noKeyType = oneProvider(answer.toString());
    assertThatThrownBy(() -> noKeyType.credentialFor("1.dkr.ecr.eu-west-1.amazonaws.com", "app"))
        .hasMessageContaining("cacheKeyType must be Image, Registry or Global");
  }

  @Test
  void aPluginThatHangsIsStopped() throws IOException {
    KubeletCredentialProviders hanging = oneProvider("hang").withTimeout(Duration.ofMillis(300));
    long started = System.nanoTime();
    assertThatThrownBy(() -> hanging.credentialFor("1.dkr.ecr.eu-west-1.amazonaws.com", "app"))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("no answer within");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
  }

  private KubeletCredentialProviders oneProvider(String answerSetting) {
    return parse("""
        apiVersion: kubelet.config.k8s.io/v1
        kind: CredentialProviderConfig
        providers:
          - name: ecr-plugin
            matchImages: ["*.dkr.ecr.*.amazonaws.com"]
            defaultCacheDuration: 1h
            apiVersion: credentialprovider.kubelet.k8s.io/v1
            env: [{name: LOG, value: "%s"}, {name: ANSWER, value: "%s"}]
        """.formatted(log, answerSetting));
  }

  @Test
  void badConfigsAreRefusedNamingTheFileTheProviderAndTheField() {
    String provider = """
        apiVersion: kubelet.config.k8s.io/v1
        kind: CredentialProviderConfig
        providers:
          - name: %s
            matchImages: %s
            defaultCacheDuration: "%s"
            apiVersion: %s
        """;
    assertThatThrownBy(() -> parse(provider.formatted("ecr-plugin", "[]", "1h", "credentialprovider.kubelet.k8s.io/v1")))
        .hasMessage("providers.yaml: providers[0] (ecr-plugin): matchImages must list at least one image pattern");
    assertThatThrownBy(() -> parse(provider.formatted("ecr-plugin", "[a.io]", "soon", "credentialprovider.kubelet.k8s.io/v1")))
        .hasMessageContaining("defaultCacheDuration: \"soon\" is not a duration");
    assertThatThrownBy(() -> parse(provider.formatted("ecr-plugin", "[a.io]", "1h", "credentialprovider.kubelet.k8s.io/v2")))
        .hasMessageContaining("apiVersion \"credentialprovider.kubelet.k8s.io/v2\" is not one of");
    assertThatThrownBy(() -> parse(provider.formatted("../bin/sh", "[a.io]", "1h", "credentialprovider.kubelet.k8s.io/v1")))
        .hasMessageContaining("name must name a file of the bin directory");
    assertThatThrownBy(() -> parse(provider.formatted("missing-plugin", "[a.io]", "1h", "credentialprovider.kubelet.k8s.io/v1")))
        .hasMessage("providers.yaml: providers[0] (missing-plugin): no executable " + bin.resolve("missing-plugin"));
    assertThatThrownBy(() -> parse("kind: CredentialProviderConfig\napiVersion: kubelet.config.k8s.io/v1\nproviders: []\n"))
        .hasMessage("providers.yaml: providers must be a non-empty list");
    assertThatThrownBy(() -> parse("kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1\n"))
        .hasMessage("providers.yaml: kind must be CredentialProviderConfig, got \"KubeletConfiguration\"");
    assertThatThrownBy(() -> parse(provider.formatted("ecr-plugin", "[a.io]", "1h", "credentialprovider.kubelet.k8s.io/v1")
        + "    tokenAttributes: {serviceAccountTokenAudience: x}\n"))
        .hasMessageContaining("tokenAttributes (service account tokens for the plugin) is not supported");
    assertThatThrownBy(() -> parse(provider.formatted("ecr-plugin", "[a.io]", "1h", "credentialprovider.kubelet.k8s.io/v1")
        + "    matchImage: [typo.io]\n"))
        .hasMessage("providers.yaml: providers[0]: unknown field \"matchImage\"");
    assertThatThrownBy(() -> parse("{not yaml: ["))
        .hasMessageStartingWith("providers.yaml: not YAML or JSON");
  }

  @Test
  void readsAConfigFileInJsonAndChecksTheBinDirectory() throws IOException {
    Path config = dir.resolve("config.json");
    Files.writeString(config, """
        {"apiVersion": "kubelet.config.k8s.io/v1", "kind": "CredentialProviderConfig",
         "providers": [{"name": "ecr-plugin", "matchImages": ["*.dkr.ecr.*.amazonaws.com"],
           "defaultCacheDuration": "1h30m", "apiVersion": "credentialprovider.kubelet.k8s.io/v1",
           "env": [{"name": "LOG", "value": "%s"}, {"name": "ANSWER", "value": "%s"}]}]}
        """.formatted(log, answer));

    assertThat(KubeletCredentialProviders.read(config, bin).credentialFor("1.dkr.ecr.eu-west-1.amazonaws.com", "x"))
        .contains(new Credential.Basic("AWS", "ecr-s3cr3t"));
    assertThatThrownBy(() -> KubeletCredentialProviders.read(config, dir.resolve("nope")))
        .hasMessage(dir.resolve("nope") + ": the credential provider bin directory does not exist");
    assertThatThrownBy(() -> KubeletCredentialProviders.read(dir.resolve("absent.yaml"), bin))
        .hasMessageStartingWith(dir.resolve("absent.yaml") + ": cannot read the credential provider config");
  }

  @Test
  void goDurations() {
    assertThat(KubeletCredentialProviders.duration("d", "12h")).isEqualTo(Duration.ofHours(12));
    assertThat(KubeletCredentialProviders.duration("d", "1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(KubeletCredentialProviders.duration("d", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(KubeletCredentialProviders.duration("d", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(KubeletCredentialProviders.duration("d", "0s")).isZero();
    assertThat(KubeletCredentialProviders.duration("d", "0")).isZero();
    for (String bad : List.of("", "12", "-1h", "1d", "h", "1h 30m")) {
      assertThatThrownBy(() -> KubeletCredentialProviders.duration("d", bad)).as(bad)
          .isInstanceOf(CredentialException.class);
    }
  }

  @Test
  void toStringNamesTheProvidersNeverACredential() {
    KubeletCredentialProviders providers = providers("12h");
    providers.credentialFor("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "app");
    assertThat(providers.toString()).isEqualTo("KubeletCredentialProviders[providers.yaml: [ecr-plugin]]")
        .doesNotContain("s3cr3t");
  }

}
