package dev.holdfast.cli;

import static dev.holdfast.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.cli.Cli.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {

  @Test
  void helpListsUsageAndExitsZero() {
    Run run = run("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage: holdfast").contains("--version");
  }

  @ParameterizedTest(name = "holdfast {0}")
  @ValueSource(strings = {"", "--help", "help"})
  void usageListsEverySubcommand(String args) {
    Run run = run(args.isEmpty() ? new String[0] : args.split(" "));
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Commands:");
    for (String name : new String[] {"help", "resolve", "inspect", "copy", "sync"}) {
      assertThat(run.out()).containsPattern("(?m)^  " + name + " ");
    }
  }

  @Test
  void subcommandNamedFirstGetsItsOwnUsage() {
    Run run = run("sync", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: holdfast sync").contains("--from");
  }

  @Test
  void helpNamesASubcommand() {
    Run run = run("help", "copy");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: holdfast copy");
  }

  @Test
  void mistypedSubcommandGetsTheFullUsage() {
    Run run = run("snyc", "--from", "x");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unmatched argument").contains("'snyc'")
        .containsPattern("(?m)^  sync ").containsPattern("(?m)^  copy ");
  }

  @Test
  void versionNamesTheBuiltVersion() {
    Run run = run("--version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("holdfast 0.").doesNotContain("${project.version}");
  }

  @ParameterizedTest(name = "holdfast {0} --version")
  @ValueSource(strings = {"resolve", "inspect", "copy", "sync"})
  void everySubcommandNamesTheVersionToo(String command) {
    Run run = run(command, "--version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("holdfast ").contains("Java ");
  }

  @ParameterizedTest(name = "holdfast {0}")
  @CsvSource(delimiter = ';', quoteCharacter = '"', textBlock = """
      copy                ; Missing required parameters: 'SRC', 'DST'
      copy a              ; Missing required parameter: 'DST'
      inspect             ; Missing required parameter: 'IMAGE'
      resolve             ; Missing required parameter: 'REFERENCE'
      sync                ; Missing required option: '--from=FILE|oci:DIR'
      sync --from         ; Missing required parameter for option '--from'
      copy a b --output x ; Invalid value for option '--output': expected one of [text, json]
      sync --from f --source-parallelism many ; Invalid value for option '--source-parallelism': 'many' is not an int
      """)
  void missingAndInvalidArgumentsAreUsageErrors(String args, String message) {
    Run run = run(args.split(" "));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains(message).contains("Usage: holdfast " + args.split(" ")[0]);
  }

  @Test
  void unknownOptionIsAUsageError() {
    Run run = run("--no-such-option");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option: '--no-such-option'");
  }
}
