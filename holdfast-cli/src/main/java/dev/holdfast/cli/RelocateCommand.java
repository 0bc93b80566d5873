package dev.holdfast.cli;

import dev.holdfast.cli.relocate.Copies;
import dev.holdfast.cli.relocate.DestinationCopies;
import dev.holdfast.cli.relocate.LockFile;
import dev.holdfast.cli.relocate.ReferenceForm;
import dev.holdfast.cli.relocate.Relocator;
import dev.holdfast.cli.relocate.Relocator.Manifest;
import dev.holdfast.cli.relocate.Relocator.NoCopy;
import dev.holdfast.cli.relocate.SyncResultCopies;
import dev.holdfast.oci.FileErrors;
import dev.holdfast.oci.copy.DestinationNaming;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdfast relocate FILE|DIR|-}: rewrites the images of Kubernetes manifests to their copies, by digest. */
@Command(name = "relocate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = { // one element per paragraph; picocli wraps them
      "Rewrites the images of Kubernetes manifests to their copies, pinned by digest.",
      "It rewrites the containers, init containers, ephemeral containers and image volumes of every Pod,"
          + " Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob and PodTemplate, in"
          + " multi-document YAML, kind: List and Helm-rendered output. Only the image strings change:"
          + " comments, key order and formatting are kept byte for byte.",
      "Copies are found at the destination (--to, named as holdfast sync --to names them; each is asked"
          + " for with a manifest HEAD) or in a holdfast sync --output json result (--from-sync). An image"
          + " that already names a copy is left as it is, so a second run changes nothing.",
      "FILE or - (stdin) is written to stdout, or back to FILE with --in-place; a DIR (its *.yaml and"
          + " *.yml files, recursively) needs --in-place or --check.",
      "Exit codes: 0 every image rewritten or already a copy; 1 some image has no copy (listed on"
          + " stderr, or stdout with --check; it is left unchanged); 2 usage error or unreadable input."
    })
final class RelocateCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int SOME_WITHOUT_COPY = 1;

  /** Where the copies are: exactly one of the two. */
  static final class Where {
    @Option(names = "--to", required = true, paramLabel = "REGISTRY[/PATH]",
        description = "The registry (and path) the images were synced to, as holdfast sync --to.")
    String to;

    @Option(names = "--from-sync", required = true, paramLabel = "FILE",
        description = "The result of holdfast sync --output json: each source, its destination and digest.")
    Path fromSync;
  }

  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @ArgGroup(exclusive = true, multiplicity = "1") Where where;

  @Parameters(index = "0", paramLabel = "FILE|DIR|-",
      description = "A manifest file, a directory of them (*.yaml, *.yml, recursively), or - for stdin.")
  String input;

  @Option(names = {"--naming", "--scheme"}, paramLabel = "keep|flatten", defaultValue = "keep",
      description = "How the copies under --to are named, as holdfast sync --scheme. Default: ${DEFAULT-VALUE}.")
  String naming;

  @Option(names = "--separator", paramLabel = "SEP", defaultValue = "_",
      description = "The flatten separator, as holdfast sync --separator. Default: ${DEFAULT-VALUE}.")
  String separator;

  @Option(names = "--reference-form", paramLabel = "TagAndDigest|Digest", defaultValue = "TagAndDigest",
      description = "TagAndDigest: repo:tag@sha256:...; Digest: repo@sha256:... An image pinned by digest"
          + " alone keeps the digest form. Default: ${DEFAULT-VALUE}.")
  ReferenceForm form;

  @Option(names = "--lock", paramLabel = "FILE",
      description = "Also write each source image and the copy it was rewritten to into FILE (sorted YAML).")
  Path lock;

  @Option(names = "--check", description = "Change nothing: list the images that have no copy; exit 1 if any.")
  boolean check;

  @Option(names = "--in-place", description = "Write each changed file back instead of to stdout.")
  boolean inPlace;

  /** Where {@code -} is read from and output is written; stdin and stdout unless a test replaces them. */
  InputStream in = System.in;
  OutputStream out = System.out;

  @Override
  public Integer call() throws IOException {
    boolean stdin = input.equals("-");
    Path path = stdin ? null : Path.of(input);
    if (check && (inPlace || lock != null)) {
      throw new ParameterException(spec.commandLine(),
          "--check changes nothing: it takes neither --in-place nor --lock");
    }
    if (stdin && inPlace) {
      throw new ParameterException(spec.commandLine(), "--in-place needs a FILE or DIR, not - (stdin)");
    }
    if (!stdin && Files.isDirectory(path) && !inPlace && !check) {
      throw new ParameterException(spec.commandLine(), input + " is a directory: rewrite it with --in-place,"
          + " or check it with --check");
    }
    List<Path> files = stdin ? List.of() : files(path);
    List<Manifest> manifests = new ArrayList<>();
    if (stdin) {
      manifests.add(new Manifest("<stdin>", decode(in.readAllBytes(), "<stdin>")));
    } else {
      for (Path file : files) {
        manifests.add(new Manifest(file.toString(), read(file, "")));
      }
    }
    SortedMap<String, String> previousLock = lock != null && Files.exists(lock)
        ? parse(() -> LockFile.parse(read(lock, "--lock "), "--lock " + lock)) : new TreeMap<>();

    RegistryClient client = null;
    try {
      Copies copies;
      if (where.fromSync != null) {
        String json = read(where.fromSync, "--from-sync ");
        copies = parse(() -> SyncResultCopies.parse(json, "--from-sync " + where.fromSync));
      } else {
        DestinationNaming destination = parse(() ->
            DestinationNaming.of(where.to, DestinationNaming.Scheme.parse(naming), separator));
        client = registry.newClient(spec.commandLine().getErr());
        RegistryClient registryClient = client;
        copies = parse(() -> DestinationCopies.of(destination,
            image -> registryClient.headManifest(image).map(Descriptor::digest)));
      }
      Relocator.Result result = parse(() -> Relocator.relocate(manifests, copies, form));
      return finish(manifests, result, files, previousLock);
    } finally {
      if (client != null) {
        client.close();
      }
    }
  }

  private int finish(List<Manifest> manifests, Relocator.Result result, List<Path> files,
      SortedMap<String, String> previousLock) throws IOException {
    PrintWriter report = check ? spec.commandLine().getOut() : spec.commandLine().getErr();
    for (NoCopy missing : result.noCopy()) {
      report.println("no copy: " + missing.source() + " at " + missing.image().where(missing.file()) + ": "
          + missing.reason());
    }
    int changed = 0;
    if (!check) {
      for (int i = 0; i < result.manifests().size(); i++) {
        String text = result.manifests().get(i).text();
        if (!inPlace) {
          out.write(text.getBytes(StandardCharsets.UTF_8));
          out.flush();
        } else if (!text.equals(manifests.get(i).text())) {
          write(files.get(i), text);
          changed++;
        }
      }
      if (lock != null) {
        write(lock, LockFile.render(result.lock(previousLock)));
      }
    }
    long images = result.outcomes().size();
    report.println((check ? "" : "holdfast relocate: ") + images + (images == 1 ? " image: " : " images: ")
        + result.count(Relocator.Rewritten.class) + (check ? " to rewrite, " : " rewritten, ")
        + result.count(Relocator.AlreadyCopy.class) + " already a copy, "
        + result.count(NoCopy.class) + " without a copy"
        + (inPlace ? "; " + changed + " of " + files.size() + (files.size() == 1 ? " file" : " files")
            + " changed" : ""));
    report.flush();
    return result.noCopy().isEmpty() ? OK : SOME_WITHOUT_COPY;
  }

  /** The manifest files of a FILE or DIR: a directory's *.yaml and *.yml, recursively, in name order. */
  private List<Path> files(Path path) {
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(path)) {
      files = walk.filter(p -> !hidden(path.relativize(p)) && Files.isRegularFile(p))
          .filter(p -> {
            String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
            return name.endsWith(".yaml") || name.endsWith(".yml");
          })
          .sorted().toList();
    } catch (IOException e) {
      throw new BadInput(spec, input + ": cannot read the directory: " + FileErrors.reason(e), e);
    } catch (UncheckedIOException e) {
      throw new BadInput(spec, input + ": cannot read the directory: " + FileErrors.reason(e.getCause()), e);
    }
    if (files.isEmpty()) {
      throw new BadInput(spec, input + ": no *.yaml or *.yml files in this directory", null);
    }
    return files;
  }

  // .git and other dot-directories hold no manifests to rewrite
  private static boolean hidden(Path relative) {
    for (Path name : relative) {
      if (name.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private String read(Path file, String option) {
    try {
      return decode(Files.readAllBytes(file), option + file);
    } catch (IOException e) {
      throw new BadInput(spec, option + file + ": cannot read it: " + FileErrors.reason(e), e);
    }
  }

  private String decode(byte[] bytes, String origin) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new BadInput(spec, origin + ": not UTF-8 text", e);
    }
  }

  /** Writes through a temporary file beside the target, then renames it: no half-written file. */
  private void write(Path file, String text) {
    Path target = file;
    try {
      if (Files.exists(file)) {
        target = file.toRealPath(); // a symbolic link keeps pointing at the rewritten file
      }
      Path directory = target.toAbsolutePath().getParent();
      Path temporary = Files.createTempFile(directory, "." + target.getFileName() + ".", ".holdfast-tmp");
      try {
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        if (Files.exists(target)) {
          try {
            Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(target));
          } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the new file has the default permissions
          }
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new BadInput(spec, file + ": cannot write it: " + FileErrors.reason(e), e);
    }
  }

  /** Runs {@code step}; what it refuses as bad input is a usage error that names it. */
  private <T> T parse(Supplier<T> step) {
    try {
      return step.get();
    } catch (IllegalArgumentException e) { // ManifestException among them
      throw new BadInput(spec, e.getMessage(), e);
    }
  }
}
