package dev.holdfast.cli;

import static dev.holdfast.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.cli.Cli.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors that name the input and say how to write it; help that reads cleanly. */
class ReadableErrorsTest {

  @Test
  void aRegistryWrittenAsAUrlIsExplained(@TempDir Path dir) throws Exception {
    Path list = Files.writeString(dir.resolve("images.yaml"), "- nginx:1.27\n");
    Run sync = run("sync", "--from", list.toString(), "--to", "http://registry.local:5000/keep");

    assertThat(sync.exitCode()).isEqualTo(2);
    assertThat(sync.err()).isEqualTo("holdfast sync: invalid target \"http://registry.local:5000/keep\": registries"
        + " are named without http:// or https://, as in \"registry.local:5000/keep\"; Holdfast reaches a registry"
        + " over HTTPS, and over plain HTTP when it is on loopback or given with --insecure-registry"
        + " registry.local:5000" + System.lineSeparator());

    Run copy = run("copy", "nginx:1.27", "https://registry.local/keep/nginx:1.27");
    assertThat(copy.exitCode()).isEqualTo(2);
    assertThat(copy.err()).startsWith(
        "holdfast copy: invalid image location \"https://registry.local/keep/nginx:1.27\":"
        + " registries are named without http:// or https://, as in \"registry.local/keep/nginx:1.27\"");
  }

  @Test
  void aUsageErrorComesFirstWithTheCommandsNameAndNoLongHelp() {
    Run run = run("sync");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().toList()).containsExactly(
        "holdfast sync: Missing required option: '--from=FILE|oci:DIR'",
        "Usage: holdfast sync --from=FILE|oci:DIR [OPTIONS]",
        "'holdfast sync --help' lists every option.");
  }

  @Test
  void helpWrapsDescriptionsAtSpacesOnly() {
    Run help = run("sync", "--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("~/.config/containers/auth.json").contains("*.key")
        .doesNotContainPattern("(?m)[~*]/?\\.$");
    assertThat(help.out()).contains("skopeo copies only the").doesNotContain("the default; as in skopeo");
  }
}
