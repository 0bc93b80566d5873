package dev.holdfast.cli;

import static dev.holdfast.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.cli.Cli.Run;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void helpListsUsageAndExitsZero() {
    Run run = run("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage: holdfast").contains("--version");
  }

  @Test
  void versionNamesTheBuiltVersion() {
    Run run = run("--version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("holdfast 0.").doesNotContain("${project.version}");
  }

  @Test
  void unknownOptionIsAUsageError() {
    Run run = run("--no-such-option");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option: '--no-such-option'");
  }
}
