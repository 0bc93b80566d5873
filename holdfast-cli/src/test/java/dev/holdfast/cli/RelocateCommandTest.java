package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code holdfast relocate} on the golden files of {@code src/test/resources/relocate} (see its
 * README), with copies from a sync result: no registry. RelocateCommandIT asks a real one.
 */
class RelocateCommandTest {
  private static final Path GOLDEN = golden();
  private static final Path SYNC = GOLDEN.resolve("sync.json");

  @TempDir Path work;

  /** What one run printed: the manifests' bytes on stdout, and the report. */
  record Run(int exitCode, byte[] bytes, String out, String err) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  static Run run(byte[] stdin, String... args) {
    CommandLine cli = Main.newCommandLine(args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RelocateCommand command = (RelocateCommand) cli.getSubcommands().get("relocate").getCommand();
    command.out = bytes;
    command.in = new ByteArrayInputStream(stdin);
    int code = cli.execute(args);
    return new Run(code, bytes.toByteArray(), out.toString(), err.toString());
  }

  static Run run(String... args) {
    return run(new byte[0], args);
  }

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(GOLDEN)) {
      return dirs.filter(Files::isDirectory).map(dir -> dir.getFileName().toString()).sorted().toList().stream();
    }
  }

  // ---- the golden files

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rewritesEachCaseToItsGoldenFile(String name) throws IOException {
    Path dir = GOLDEN.resolve(name);
    Run run = run(args(dir, dir.resolve("input.yaml")));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(exitCode(dir));
    assertThat(run.text()).isEqualTo(Files.readString(dir.resolve("expected.yaml")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aSecondRunChangesNothing(String name) throws IOException {
    Path dir = GOLDEN.resolve(name);
    byte[] expected = Files.readAllBytes(dir.resolve("expected.yaml"));
    Run again = run(args(dir, dir.resolve("expected.yaml")));
    assertThat(again.bytes()).isEqualTo(expected);
    assertThat(again.err()).contains(" 0 rewritten, ");
    assertThat(again.exitCode()).isEqualTo(exitCode(dir));
  }

  @Test
  void checkListsTheImagesWithoutACopyAndChangesNothing() throws IOException {
    Path input = work.resolve("input.yaml");
    Files.copy(GOLDEN.resolve("no-copy/input.yaml"), input);
    byte[] before = Files.readAllBytes(input);
    Path sync = Files.copy(SYNC, work.resolve("sync.json"));

    Run check = run("relocate", "--check", "--from-sync", sync.toString(), input.toString());

    assertThat(check.exitCode()).isEqualTo(RelocateCommand.SOME_WITHOUT_COPY);
    assertThat(check.out().replace(work + "/", ""))
        .isEqualTo(Files.readString(GOLDEN.resolve("no-copy/check.txt")));
    assertThat(check.bytes()).isEmpty();
    assertThat(Files.readAllBytes(input)).isEqualTo(before);
  }

  @Test
  void checkPassesWhenEveryImageHasACopyOrIsOne() {
    Run check = run("relocate", "--check", "--from-sync", SYNC.toString(), GOLDEN.resolve("helm").toString());
    assertThat(check.exitCode()).as(check.out() + check.err()).isZero();
    assertThat(check.out()).isEqualTo("4 images: 2 to rewrite, 2 already a copy, 0 without a copy\n");
  }

  // ---- files, directories, stdin and the lock

  @Test
  void inPlaceRewritesEveryManifestOfADirectoryAndWritesTheLockTwiceTheSame() throws IOException {
    Path tree = work.resolve("manifests");
    List<String> names = cases().filter(name -> !name.equals("digest-form")).toList(); // one reference form per run
    for (String name : names) {
      Path target = tree.resolve(name.equals("helm") ? "charts/rendered.yml" : name + "/deploy.yaml");
      Files.createDirectories(target.getParent());
      Files.copy(GOLDEN.resolve(name).resolve("input.yaml"), target);
    }
    Path hidden = Files.createDirectories(tree.resolve(".git")).resolve("config.yaml");
    Files.copy(GOLDEN.resolve("cronjob/input.yaml"), hidden);
    Path notYaml = Files.writeString(tree.resolve("notes.txt"), "image: nginx:1.27\n");
    Path lock = work.resolve("images.lock.yaml");

    Run first = run("relocate", "--in-place", "--lock", lock.toString(), "--from-sync", SYNC.toString(), tree.toString());

    assertThat(first.exitCode()).as(first.err()).isEqualTo(RelocateCommand.SOME_WITHOUT_COPY); // no-copy's two
    assertThat(first.bytes()).isEmpty();
    for (String name : names) {
      Path target = tree.resolve(name.equals("helm") ? "charts/rendered.yml" : name + "/deploy.yaml");
      assertThat(target).as(name).hasSameBinaryContentAs(GOLDEN.resolve(name).resolve("expected.yaml"));
    }
    assertThat(hidden).hasSameBinaryContentAs(GOLDEN.resolve("cronjob/input.yaml"));
    assertThat(notYaml).hasContent("image: nginx:1.27");
    assertThat(lock).hasSameTextualContentAs(GOLDEN.resolve("lock.yaml"));
    assertThat(first.err()).endsWith("; " + names.size() + " of " + names.size() + " files changed\n");

    Run second = run("relocate", "--in-place", "--lock", lock.toString(), "--from-sync", SYNC.toString(), tree.toString());
    assertThat(second.err()).contains(" 0 rewritten, ").endsWith("; 0 of " + names.size() + " files changed\n");
    assertThat(lock).hasSameTextualContentAs(GOLDEN.resolve("lock.yaml"));
  }

  @Test
  void inPlaceKeepsTheFilesPermissionsAndLeavesNoTemporaryFile() throws IOException {
    Path file = Files.copy(GOLDEN.resolve("cronjob/input.yaml"), work.resolve("cron.yaml"));
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    Run run = run("relocate", "--in-place", "--from-sync", SYNC.toString(), file.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(file).hasSameBinaryContentAs(GOLDEN.resolve("cronjob/expected.yaml"));
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r-----");
    try (Stream<Path> files = Files.list(work)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void readsStdinAndWritesStdout() throws IOException {
    Run run = run(Files.readAllBytes(GOLDEN.resolve("multi-doc/input.yaml")), "relocate", "--from-sync",
        SYNC.toString(), "-");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.bytes()).isEqualTo(Files.readAllBytes(GOLDEN.resolve("multi-doc/expected.yaml")));
  }

  @Test
  void windowsLineEndingsAndAByteOrderMarkAreKept() {
    String input = "\uFEFFkind: Pod\r\nmetadata: {name: p}\r\nspec:\r\n  containers:\r\n  - name: c\r\n"
        + "    image: nginx:1.27\r\n";
    Run run = run(input.getBytes(StandardCharsets.UTF_8), "relocate", "--from-sync", SYNC.toString(), "-");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.text()).isEqualTo(input.replace("nginx:1.27",
        "registry.example.com/keep/docker.io/library/nginx:1.27@sha256:" + "1".repeat(64)));
  }

  // ---- bad input: exit 2, one line naming the file, the position, the document and the path

  @Test
  void anInvalidImageNamesTheFileTheDocumentAndThePath() throws IOException {
    Path file = Files.writeString(work.resolve("bad.yaml"), """
        kind: Service
        metadata: {name: s}
        ---
        kind: Deployment
        metadata: {name: web}
        spec:
          template:
            spec:
              containers:
                - {name: web, image: "Nginx:1.27"}
        """);
    Run run = run("relocate", "--from-sync", SYNC.toString(), file.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.bytes()).isEmpty();
    assertThat(run.err()).isEqualTo("holdfast relocate: " + file + ":10:30 (document 2, Deployment/web,"
        + " spec.template.spec.containers[0].image): invalid image reference \"Nginx:1.27\": repository name"
        + " \"library/Nginx\" must be lower case\n");
  }

  @Test
  void yamlThatDoesNotParseNamesWhere() throws IOException {
    Path file = Files.writeString(work.resolve("broken.yaml"), "kind: Pod\n---\nkind: Pod\nspec: [unclosed\n");
    Run run = run("relocate", "--from-sync", SYNC.toString(), file.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("holdfast relocate: " + file + ":5:1 (document 2): not valid YAML: while"
        + " parsing a flow sequence: expected ',' or ']', but got <stream end>\n");
  }

  @Test
  void aDirectoryWithOneBadFileChangesNoFile() throws IOException {
    Path tree = Files.createDirectories(work.resolve("tree"));
    Path good = Files.copy(GOLDEN.resolve("cronjob/input.yaml"), tree.resolve("a.yaml"));
    Files.writeString(tree.resolve("b.yaml"), "kind: Pod\nspec: {containers: [{name: c, image: {x: 1}}]}\n");
    Run run = run("relocate", "--in-place", "--from-sync", SYNC.toString(), tree.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("b.yaml:2:38 (document 1, Pod/?, spec.containers[0].image): an image must be a"
        + " string, not a mapping");
    assertThat(good).hasSameBinaryContentAs(GOLDEN.resolve("cronjob/input.yaml"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "no such file|relocate --from-sync SYNC WORK/missing.yaml"
          + "|WORK/missing.yaml: cannot read it: no such file or directory",
      "not a sync result|relocate --from-sync WORK/input.yaml WORK/input.yaml|--from-sync WORK/input.yaml: not JSON",
      "a layout destination|relocate --to oci:WORK/copies WORK/input.yaml"
          + "|the copies in OCI layout WORK/copies cannot be named",
      "a bad naming|relocate --to r.example/keep --naming deep WORK/input.yaml|invalid naming scheme \"deep\"",
      "a lock that is not one|relocate --from-sync SYNC --lock WORK/input.yaml WORK/input.yaml"
          + "|--lock WORK/input.yaml: not a holdfast relocate lock file",
      "a directory without --in-place|relocate --from-sync SYNC WORK|is a directory: rewrite it with --in-place",
      "stdin --in-place|relocate --from-sync SYNC --in-place -|--in-place needs a FILE or DIR",
      "check with a lock|relocate --check --lock x --from-sync SYNC WORK/input.yaml|--check changes nothing",
      "neither --to nor --from-sync|relocate WORK/input.yaml|Missing required argument",
      "both --to and --from-sync|relocate --to r.example --from-sync SYNC WORK/input.yaml|mutually exclusive",
      "an unknown reference form|relocate --from-sync SYNC --reference-form Tag WORK/input.yaml"
          + "|Invalid value for option '--reference-form'",
  })
  void usageErrorsExitTwoAndSayWhatIsWrong(String row) throws IOException {
    String[] columns = row.split("\\|");
    Files.copy(GOLDEN.resolve("cronjob/input.yaml"), work.resolve("input.yaml"));
    String[] args = columns[1].replace("SYNC", SYNC.toString()).replace("WORK", work.toString()).split(" ");
    Run run = run(args);
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).startsWith("holdfast relocate: ").contains(columns[2].replace("WORK", work.toString()));
    assertThat(run.bytes()).isEmpty();
    assertThat(work.resolve("input.yaml")).hasSameBinaryContentAs(GOLDEN.resolve("cronjob/input.yaml"));
  }

  @Test
  void aMissingChoiceShowsTheChoiceInTheSynopsis() {
    Run run = run("relocate", "app.yaml");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("\nUsage: holdfast relocate (--to=REGISTRY[/PATH] | --from-sync=FILE) [OPTIONS]"
        + " FILE|DIR|-\n");
  }

  private static String[] args(Path dir, Path input) throws IOException {
    List<String> args = new ArrayList<>(List.of("relocate", "--from-sync", SYNC.toString()));
    if (Files.exists(dir.resolve("args"))) {
      args.addAll(Files.readAllLines(dir.resolve("args")));
    }
    args.add(input.toString());
    return args.toArray(String[]::new);
  }

  private static int exitCode(Path dir) throws IOException {
    Path file = dir.resolve("exit-code");
    return Files.exists(file) ? Integer.parseInt(Files.readString(file).strip()) : 0;
  }

  private static Path golden() {
    try {
      return Path.of(RelocateCommandTest.class.getResource("/relocate").toURI());
    } catch (URISyntaxException e) {
      throw new UncheckedIOException(new IOException(e));
    }
  }
}
