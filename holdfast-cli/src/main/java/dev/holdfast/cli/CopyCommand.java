package dev.holdfast.cli;

import dev.holdfast.oci.copy.CopyException;
import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.registry.RegistryClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code holdfast copy SRC DST}: copies one image by digest, tag last. */
final class CopyCommand implements Callable<Integer> {
  private static final String[] DESCRIPTION = { // one element per paragraph; picocli wraps them
    "Copies one image, by digest, between registries and OCI layouts.",
    "SRC and DST are image references (nginx:1.27, docker://ghcr.io/org/app:v1) or OCI layouts"
        + " (oci:DIR[:NAME], as in skopeo). Blobs the destination has are skipped; the tag is written last.",
    "With --mirrors, a registry SRC is read from its mirrors in order (then from itself, unless blocked).",
    "Exit codes: 0 copied or already present, 1 failed, 2 usage error."
  };

  final CommandSpec spec;
  final CopyFlags flags = new CopyFlags();
  final RegistryOptions registry = new RegistryOptions();
  final MirrorOptions mirrors = new MirrorOptions();
  String source;
  String destination;

  CopyCommand() {
    spec = Specs.command(this, "copy", DESCRIPTION);
    flags.addTo(spec);
    registry.addTo(spec);
    mirrors.addTo(spec);
    spec.addPositional(Specs.positional("0", String.class, () -> source, v -> source = v)
        .paramLabel("SRC").description("The image to copy: REF, docker://REF or oci:DIR[:NAME].").build());
    spec.addPositional(Specs.positional("1", String.class, () -> destination, v -> destination = v)
        .paramLabel("DST").description("Where the copy goes: REF, docker://REF or oci:DIR[:NAME].").build());
  }

  @Override
  public Integer call() {
    CopyRequest request;
    try {
      request = mirrors.request(spec, ImageLocation.parse(source), ImageLocation.parse(destination),
          flags.options(spec));
    } catch (IllegalArgumentException e) {
      throw new Specs.BadInput(spec, e.getMessage(), e);
    } catch (CopyException.SourceBlocked e) {
      spec.commandLine().getErr().println("holdfast copy: " + e.getMessage());
      return CopyReport.ALL_FAILED;
    }
    RegistryClient client;
    try {
      client = registry.newClient(spec.commandLine().getErr(), mirrors);
    } catch (RegistryOptions.BadOptionException e) {
      throw new Specs.BadInput(spec, e.getMessage(), e);
    }
    try (client) {
      return flags.run(spec, client, List.of(request));
    }
  }
}
