package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.testing.Skopeo;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/holdfast, the launcher that the README's first command runs, with the JDK these tests run
 * on. It runs in a Surefire execution of its own after {@code package}, so the jar it starts is
 * the one this build made. Its JVM flags must not print anything (a compile command or a compiler
 * directive that echoes itself would break {@code --output json}), and on JDK 25 and newer the
 * ahead-of-time cache it trains once per build must not come out empty.
 */
class LauncherIT {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path LAUNCHER = ROOT.resolve("bin/holdfast");
  private static final Path SAMPLES = ROOT.resolve("examples/upstream");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one run of the launcher printed, and its exit code. */
  record Launch(int exitCode, String out, String err) {}

  private static Launch first;

  @TempDir Path work;

  /** The first run after a build trains the cache; the tests below then see ordinary runs. */
  @BeforeAll
  static void firstRun() throws Exception {
    assertThat(ROOT.resolve("holdfast-cli/target/holdfast.jar"))
        .as("the jar of this build (the launcher would build it otherwise)").isRegularFile();
    first = launch("--version");
    assertThat(first.exitCode()).as(first.err()).isZero();
  }

  @Test
  void versionPrintsTheVersionAndNothingElse() throws Exception {
    Launch run = launch("--version");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).matches("holdfast \\S+\nJava \\S+.*\n");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void theReadmeMainJobCopiesTheSamplesAndItsJsonOutputParses() throws Exception {
    Path out = work.resolve("copies");

    Launch run = launch("sync", "--from", "oci:examples/upstream", "--to", "oci:" + out, "--output", "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode report = JSON.readTree(run.out());
    assertThat(report.path("summary").path("copied").asInt()).isEqualTo(2);
    assertThat(report.path("summary").path("failed").asInt()).isZero();
    // stderr carries the progress lines of a non-terminal run, and nothing from the JVM
    assertThat(run.err().lines()).hasSize(2).allMatch(line -> line.startsWith("copied "));

    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    JsonNode samples = JSON.readTree(SAMPLES.resolve("index.json").toFile());
    for (JsonNode sample : samples.path("manifests")) {
      String name = sample.path("annotations").path("org.opencontainers.image.ref.name").asText();
      Skopeo.Result raw = skopeo.run(List.of("inspect", "--raw", "oci:" + out + ":" + name));
      assertThat(raw.exitCode()).as(raw.stderr()).isZero();
      assertThat(Digest.sha256(raw.stdoutBytes())).as(name).hasToString(sample.path("digest").asText());
    }

    Launch again = launch("sync", "--from", "oci:examples/upstream", "--to", "oci:" + out, "--output", "json");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(JSON.readTree(again.out()).path("summary").path("alreadyPresent").asInt()).isEqualTo(2);
  }

  @Test
  void theAheadOfTimeCacheIsTrainedOnJdk25AndNewer() {
    Path cache = ROOT.resolve("holdfast-cli/target/holdfast.aot");
    if (Runtime.version().feature() >= 25) {
      // an empty file marks a training that failed: the launcher then runs without the cache
      assertThat(cache).isRegularFile();
      assertThat(cache.toFile().length()).as("size of " + cache).isGreaterThan(1024 * 1024);
    } else {
      assertThat(first.err()).as("below JDK 25 there is no cache to train").doesNotContain("training");
    }
  }

  @Test
  void aCopyStoppedByASignalSaysHowFarItGot() throws Exception {
    Path stderr = work.resolve("stderr");
    // a "registry" that takes the connection and never answers: the copy waits on its first request
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Process process = builder("copy", "docker://127.0.0.1:" + silent.getLocalPort() + "/app:1",
          "oci:" + work.resolve("out") + ":v1").redirectOutput(work.resolve("stdout").toFile())
          .redirectError(stderr.toFile()).start();
      try (Socket held = silent.accept()) {
        process.destroy(); // SIGTERM: bin/holdfast execs the JVM, so this is the JVM's pid
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
      } finally {
        process.destroyForcibly();
      }
      assertThat(process.exitValue()).isEqualTo(128 + 15);
    }
    assertThat(Files.readString(stderr)).contains("holdfast copy: stopped before the end: 0 of 1 images done;"
        + " the 1 not done has no tag at the destination");
    assertThat(work.resolve("out")).doesNotExist();
  }

  private static ProcessBuilder builder(String... args) {
    List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().remove("HOLDFAST_JAVA_OPTS");
    builder.environment().remove("HOLDFAST_AOT");
    builder.environment().remove("HOLDFAST_JIT");
    return builder;
  }

  private static Launch launch(String... args) throws IOException, InterruptedException {
    ProcessBuilder builder = builder(args);
    Path stdout = Files.createTempFile("holdfast-launch-", ".out");
    Path stderr = Files.createTempFile("holdfast-launch-", ".err");
    try {
      Process process = builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("bin/holdfast " + String.join(" ", args) + " did not finish within 5 minutes: "
            + Files.readString(stderr));
      }
      return new Launch(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
          Files.readString(stderr, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }
}
