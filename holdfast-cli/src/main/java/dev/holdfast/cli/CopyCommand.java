package dev.holdfast.cli;

import dev.holdfast.oci.copy.CopyException;
import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.registry.RegistryClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdfast copy SRC DST}: copies one image by digest, tag last. */
@Command(name = "copy", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = { // one element per paragraph; picocli wraps them
      "Copies one image, by digest, between registries and OCI layouts.",
      "SRC and DST are image references (nginx:1.27, docker://ghcr.io/org/app:v1) or OCI layouts"
          + " (oci:DIR[:NAME], as in skopeo). Blobs the destination has are skipped; the tag is written last.",
      "With --mirrors, a registry SRC is read from its mirrors in order (then from itself, unless blocked).",
      "Exit codes: 0 copied or already present, 1 failed, 2 usage error."
    })
final class CopyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin CopyFlags flags = new CopyFlags();
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin MirrorOptions mirrors = new MirrorOptions();

  @Parameters(index = "0", paramLabel = "SRC",
      description = "The image to copy: REF, docker://REF or oci:DIR[:NAME].")
  String source;

  @Parameters(index = "1", paramLabel = "DST",
      description = "Where the copy goes: REF, docker://REF or oci:DIR[:NAME].")
  String destination;

  @Override
  public Integer call() {
    CopyRequest request;
    try {
      request = mirrors.request(spec, ImageLocation.parse(source), ImageLocation.parse(destination),
          flags.options(spec));
    } catch (IllegalArgumentException e) {
      throw new BadInput(spec, e.getMessage(), e);
    } catch (CopyException.SourceBlocked e) {
      spec.commandLine().getErr().println("holdfast copy: " + e.getMessage());
      return CopyReport.ALL_FAILED;
    }
    try (RegistryClient client = registry.newClient(spec.commandLine().getErr(), mirrors)) {
      return flags.run(spec, client, List.of(request));
    }
  }
}
