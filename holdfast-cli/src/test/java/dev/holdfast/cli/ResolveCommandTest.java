package dev.holdfast.cli;

import static dev.holdfast.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.cli.Cli.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResolveCommandTest {

  private static final String D = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();


  @TempDir Path dir;
  private Path redirects;
  private Path idms;

  @BeforeEach
  void writeConfigs() throws Exception {
    redirects = Files.writeString(dir.resolve("redirects.yaml"), """
        redirects:
        - src: docker.io/
          to: project-a.azurecr.io/docker-mirror/
        - src: ghcr.io/
          to: project-a.azurecr.io/ghcr-mirror/
        """);
    idms = Files.writeString(dir.resolve("idms.yaml"), """
        apiVersion: config.openshift.io/v1
        kind: ImageDigestMirrorSet
        metadata:
          name: quay
        spec:
          imageDigestMirrors:
          - source: quay.io/ns
            mirrors: [mirror.local/ns]
            mirrorSourcePolicy: NeverContactSource
        """);
  }


  private Run runWithMirrors(String... args) {
    List<String> all = new ArrayList<>(List.of("resolve", "--mirrors", redirects.toString(),
        "--mirrors", idms.toString()));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  // --- The base contract: normalised references, one JSON object per input line

  @Test
  void jsonWithoutMirrorsIsTheNormalisedReferenceAndItself() {
    Run run = run("resolve", "--output", "json", "nats");
    assertThat(run.exitCode()).isZero();
    assertThat(run.lines()).containsExactly(
        "{\"input\":\"nats\",\"reference\":\"docker.io/library/nats:latest\",\"registry\":\"docker.io\","
            + "\"repository\":\"library/nats\",\"tag\":\"latest\",\"digest\":null,\"rule\":null,"
            + "\"candidates\":[\"docker.io/library/nats:latest\"],\"blocked\":false}");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      nats:2.10                       | docker.io/library/nats:2.10 | docker.io     | library/nats | 2.10   |
      ghcr.io/org/app@${D}            | ghcr.io/org/app@${D}        | ghcr.io       | org/app      |        | ${D}
      localhost:5000/a/b:1@${D}       | localhost:5000/a/b:1@${D}   | localhost:5000| a/b          | 1      | ${D}
      index.docker.io/library/busybox | docker.io/library/busybox:latest | docker.io | library/busybox | latest |
      """)
  void jsonNamesEveryPartAndNullForAbsentOnes(
      String input, String reference, String registry, String repository, String tag, String digest)
      throws Exception {
    String in = input.replace("${D}", D);
    Run run = run("resolve", "-o", "json", in);
    assertThat(run.exitCode()).isZero();
    JsonNode line = JSON.readTree(run.lines().getFirst());
    assertThat(line.get("input").asText()).isEqualTo(in);
    assertThat(line.get("reference").asText()).isEqualTo(reference.replace("${D}", D));
    assertThat(line.get("registry").asText()).isEqualTo(registry);
    assertThat(line.get("repository").asText()).isEqualTo(repository);
    assertThat(line.get("tag").isNull() ? null : line.get("tag").asText()).isEqualTo(tag);
    assertThat(line.get("digest").isNull() ? null : line.get("digest").asText())
        .isEqualTo(digest == null ? null : digest.replace("${D}", D));
  }

  @Test
  void anInvalidReferenceIsAnErrorObjectTheOthersArePrintedAndTheExitCodeIsOne() throws Exception {
    Run run = run("resolve", "--output", "json", "nats", "Not/Valid:", "quay.io/a/b:1");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.lines()).hasSize(3);
    JsonNode error = JSON.readTree(run.lines().get(1));
    assertThat(error.properties()).extracting(e -> e.getKey()).containsExactly("input", "error");
    assertThat(error.get("input").asText()).isEqualTo("Not/Valid:");
    assertThat(error.get("error").asText()).contains("Not/Valid:");
    assertThat(JSON.readTree(run.lines().get(2)).get("reference").asText()).isEqualTo("quay.io/a/b:1");
  }

  @Test
  void textPrintsEachNormalisedReference() {
    Run run = run("resolve", "nats", "quay.io/a/b@" + D);
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("docker.io/library/nats:latest  (from nats)\n  rule: none\n"
        + "  1. docker.io/library/nats:latest  (source)\n");
    assertThat(run.out()).contains("quay.io/a/b@" + D + "\n  rule: none\n");
  }

  @Test
  void textReportsAnInvalidReferenceOnStandardError() {
    Run run = run("resolve", "nats", "UPPER CASE");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("docker.io/library/nats:latest");
    assertThat(run.err()).contains("UPPER CASE");
  }

  // --- Mirrors

  @Test
  void jsonShowsTheRuleAndCandidatesInOrder() throws Exception {
    Run run = runWithMirrors("-o", "json", "docker.io/nats:2.10.26-alpine", "quay.io/ns/app@" + D,
        "quay.io/ns/app:1", "registry.k8s.io/pause:3.9");
    assertThat(run.exitCode()).isZero();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : run.lines()) {
      lines.add(JSON.readTree(line));
    }
    assertThat(lines.getFirst().properties()).extracting(e -> e.getKey()).containsExactly(
        "input", "reference", "registry", "repository", "tag", "digest", "rule", "candidates", "blocked");
    assertThat(lines.get(0).get("rule").asText()).isEqualTo("docker.io");
    assertThat(lines.get(0).get("candidates")).extracting(JsonNode::asText).containsExactly(
        "project-a.azurecr.io/docker-mirror/library/nats:2.10.26-alpine",
        "docker.io/library/nats:2.10.26-alpine");
    assertThat(lines.get(0).get("blocked").asBoolean()).isFalse();
    assertThat(lines.get(1).get("candidates")).extracting(JsonNode::asText)
        .containsExactly("mirror.local/ns/app@" + D);
    assertThat(lines.get(1).get("blocked").asBoolean()).isTrue();
    // Digest-only mirror, blocked source: a tag reference has nowhere to come from.
    assertThat(lines.get(2).get("candidates")).isEmpty();
    assertThat(lines.get(2).get("blocked").asBoolean()).isTrue();
    assertThat(lines.get(3).get("rule").isNull()).isTrue();
    assertThat(lines.get(3).get("candidates")).extracting(JsonNode::asText)
        .containsExactly("registry.k8s.io/pause:3.9");
  }

  @Test
  void textNumbersCandidatesAndMarksBlockedSources() {
    Run run = runWithMirrors("docker.io/nats:2.10.26-alpine", "quay.io/ns/app:1");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("""
        docker.io/library/nats:2.10.26-alpine  (from docker.io/nats:2.10.26-alpine)
          rule: docker.io
          1. project-a.azurecr.io/docker-mirror/library/nats:2.10.26-alpine  (mirror)
          2. docker.io/library/nats:2.10.26-alpine  (source)
        """);
    assertThat(run.out()).contains("""
        quay.io/ns/app:1
          rule: quay.io/ns
          blocked: the source quay.io/ns/app is never contacted; no mirror serves this reference
        """);
  }

  @Test
  void aDirectoryOfDropInsIsAccepted() throws Exception {
    Path dropIns = Files.createDirectories(dir.resolve("registries.conf.d"));
    Files.writeString(dropIns.resolve("10-a.conf"),
        "[[registry]]\nlocation = \"ghcr.io\"\n[[registry.mirror]]\nlocation = \"ten.local/ghcr\"\n");
    Files.writeString(dropIns.resolve("20-b.conf"),
        "[[registry]]\nlocation = \"ghcr.io\"\n[[registry.mirror]]\nlocation = \"twenty.local/ghcr\"\n");
    Run run = run("resolve", "--mirrors", dropIns.toString(), "-o", "json", "ghcr.io/o/a:1");
    assertThat(run.exitCode()).isZero();
    assertThat(JSON.readTree(run.out()).get("candidates")).extracting(JsonNode::asText)
        .containsExactly("twenty.local/ghcr/o/a:1", "ghcr.io/o/a:1");
  }

  @Test
  void aRuleThatRewritesToAnInvalidReferenceIsAnErrorForThatReferenceOnly() throws Exception {
    // *.example.com keeps ":5000/app:1" after the host; appended to a path it is not a reference.
    Path wild = Files.writeString(dir.resolve("wild.yaml"),
        "redirects:\n- src: \"*.example.com\"\n  to: mirror.local/wild\n");
    Run run = run("resolve", "--mirrors", wild.toString(), "-o", "json",
        "a.example.com:5000/app:1", "a.example.com/app:1");
    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode error = JSON.readTree(run.lines().get(0));
    assertThat(error.get("input").asText()).isEqualTo("a.example.com:5000/app:1");
    assertThat(error.get("error").asText()).contains("mirror.local/wild:5000/app:1");
    assertThat(JSON.readTree(run.lines().get(1)).get("candidates")).extracting(JsonNode::asText)
        .containsExactly("mirror.local/wild/app:1", "a.example.com/app:1");
  }

  @Test
  void logsNeverReachStandardOutput() throws Exception {
    // An unknown key is logged as a warning; JSON lines on standard output must stay clean.
    Path conf = Files.writeString(dir.resolve("unknown-key.conf"),
        "[[registry]]\nlocation = \"ghcr.io\"\nsurprise = true\n");
    java.io.PrintStream savedOut = System.out;
    java.io.PrintStream savedErr = System.err;
    java.io.ByteArrayOutputStream processOut = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream processErr = new java.io.ByteArrayOutputStream();
    Run run;
    try {
      System.setOut(new java.io.PrintStream(processOut, true, java.nio.charset.StandardCharsets.UTF_8));
      System.setErr(new java.io.PrintStream(processErr, true, java.nio.charset.StandardCharsets.UTF_8));
      run = run("resolve", "--mirrors", conf.toString(), "-o", "json", "ghcr.io/o/a:1");
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    assertThat(run.exitCode()).isZero();
    assertThat(processOut.toString(java.nio.charset.StandardCharsets.UTF_8)).isEmpty();
    assertThat(processErr.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("surprise").doesNotContain("DEBUG");
    assertThat(JSON.readTree(run.out()).get("rule").asText()).isEqualTo("ghcr.io");
  }

  // --- Usage errors and unusable configuration: exit 2, nothing on standard output

  @Test
  void anInvalidMirrorsFileIsNamedAndExitsTwo() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.conf"),
        "[[registry]]\nlocation = \"example.com\"\n[[registry.mirror]]\npull-from-mirror = \"tag-only\"\n");
    Run run = run("resolve", "--mirrors", bad.toString(), "-o", "json", "nats");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains(bad.toString()).contains("mirror[0]").contains("'location'");
  }

  @Test
  void aMissingMirrorsFileIsNamedAndExitsTwo() {
    Path missing = dir.resolve("missing.yaml");
    Run run = run("resolve", "--mirrors", missing.toString(), "nats");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains(missing.toString()).contains("does not exist");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      resolve                        | Missing required parameter
      resolve --output xml nats      | Invalid value for option '--output'
      resolve --mirrors              | Missing required parameter for option '--mirrors'
      """)
  void usageErrorsExitTwo(String args, String message) {
    Run run = run(args.split(" "));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains(message);
  }

  @Test
  void helpDescribesTheCommand() {
    Run run = run("resolve", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage: holdfast resolve").contains("--mirrors=FILE_OR_DIR");
  }
}
