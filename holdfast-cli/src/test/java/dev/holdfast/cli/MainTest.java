package dev.holdfast.cli;

import static dev.holdfast.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.cli.Cli.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
  void aBadInputIsOneLineThatNamesIt(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing.yaml");
    Run sync = run("sync", "--from", missing.toString(), "--to", "oci:" + dir.resolve("out"));
    assertThat(sync.exitCode()).isEqualTo(2);
    assertThat(sync.err()).isEqualTo("holdfast sync: cannot read image list " + missing
        + ": no such file or directory" + System.lineSeparator());

    Path list = Files.writeString(dir.resolve("images.yaml"), "- nginx:1.27\n- Upper/Case:1\n");
    Run entry = run("sync", "--from", list.toString(), "--to", "oci:" + dir.resolve("out"));
    assertThat(entry.exitCode()).isEqualTo(2);
    assertThat(entry.err()).startsWith("holdfast sync: " + list + "[1]: invalid image reference \"Upper/Case:1\"")
        .doesNotContain("Usage:");

    Run reference = run("copy", "docker://upper/Case:1", "oci:" + dir.resolve("out"));
    assertThat(reference.exitCode()).isEqualTo(2);
    assertThat(reference.err()).startsWith("holdfast copy: invalid image location \"docker://upper/Case:1\"")
        .doesNotContain("Usage:");

    Path noBundle = dir.resolve("ca.pem");
    Run bundle = run("copy", "--ca-file", noBundle.toString(), "oci:" + dir.resolve("in") + ":v1",
        "oci:" + dir.resolve("out") + ":v1");
    assertThat(bundle.exitCode()).isEqualTo(2);
    assertThat(bundle.err()).isEqualTo("holdfast copy: --ca-file " + noBundle + ": cannot read trust bundle "
        + noBundle + ": no such file or directory" + System.lineSeparator());
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void unknownOptionIsAUsageError() {
    Run run = run("--no-such-option");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option: '--no-such-option'");
  }
}
