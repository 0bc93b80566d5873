package dev.holdfast.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/testenv}'s answers when it cannot build or start: one line that says why. */
class TestenvCommandIT {
  private final Path root = ControlPlane.findRepositoryRoot();

  @Test
  void buildWithoutGoSaysSoInOneLine(@TempDir Path cache) throws Exception {
    String pathWithoutGo = java.util.Arrays.stream(System.getenv("PATH").split(":"))
        .filter(dir -> !java.nio.file.Files.isExecutable(Path.of(dir, "go")))
        .collect(java.util.stream.Collectors.joining(":"));
    Result result = testenv(Map.of("PATH", pathWithoutGo, "XDG_CACHE_HOME", cache.toString()), "build");
    assertThat(result.exitCode).isEqualTo(1);
    assertThat(result.output.strip().lines()).singleElement().asString()
        .startsWith("bin/testenv: Go is not installed");
  }

  @Test
  void buildWithoutTheModuleProxySaysSoInOneLine(@TempDir Path dir) throws Exception {
    Result result = testenv(Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString(),
        "GOMODCACHE", dir.resolve("gomod").toString(), "GOPROXY", "off", "GOFLAGS", "-mod=mod"), "build");
    assertThat(result.exitCode).isEqualTo(1);
    assertThat(result.output.strip().lines().filter(l -> l.startsWith("bin/testenv: cannot"))).singleElement()
        .asString().startsWith("bin/testenv: cannot download the Go modules for etcd from off:");
  }

  @Test
  void statusAndDownOfADirectoryWhereNothingRuns(@TempDir Path dir) throws Exception {
    Result status = testenv(Map.of(), "status", "--dir", dir.toString());
    assertThat(status.exitCode).isEqualTo(3);
    assertThat(status.output).contains("nothing runs from " + dir);
    Result down = testenv(Map.of(), "down", "--dir", dir.toString());
    assertThat(down.exitCode).isZero();
  }

  @Test
  void unknownCommandIsNamed() throws Exception {
    Result result = testenv(Map.of(), "launch");
    assertThat(result.exitCode).isEqualTo(1);
    assertThat(result.output.strip()).isEqualTo(
        "bin/testenv: unknown command \"launch\": use build, up, down, status, restart or path");
  }

  private record Result(int exitCode, String output) {}

  private Result testenv(Map<String, String> env, String... args) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(
        concat(root.resolve("bin").resolve("testenv").toString(), args)).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private static List<String> concat(String first, String... rest) {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), java.util.Arrays.stream(rest)).toList();
  }
}
