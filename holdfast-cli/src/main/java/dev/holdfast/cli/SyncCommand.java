package dev.holdfast.cli;

import dev.holdfast.oci.copy.CopyException;
import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.CopyResult;
import dev.holdfast.oci.copy.CopyStats;
import dev.holdfast.oci.copy.DestinationNaming;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.copy.LayoutContents;
import dev.holdfast.oci.layout.OciLayoutException;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.workload.ImageListFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code holdfast sync --from FILE --to TARGET}: copies every image a file names. */
@Command(name = "sync", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = { // one element per paragraph; picocli wraps them
      "Copies every image named in FILE to TARGET, in parallel, sharing blobs between images.",
      "FILE is a YAML list of images (a sequence, or a mapping with an 'images' sequence), Kubernetes"
          + " manifests whose workloads' images are collected (Pod, Deployment, StatefulSet, DaemonSet,"
          + " ReplicaSet, Job, CronJob; multi-document YAML and kind: List), or oci:DIR, an OCI layout"
          + " whose images are named by their full references, as sync --to oci:DIR writes them: the far"
          + " side of an air gap copies each image back under its original name.",
      "TARGET is REGISTRY[/PATH] or oci:DIR (default oci:./holdfast-copies).",
      "Exit codes: 0 all copied or present, 1 all failed, 3 some failed, 2 usage error."
    })
final class SyncCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin CopyFlags flags = new CopyFlags();
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin MirrorOptions mirrors = new MirrorOptions();

  @Option(names = "--from", required = true, paramLabel = "FILE|oci:DIR",
      description = "The YAML file naming the images, or an OCI layout written by sync --to oci:DIR.")
  String from;

  @Option(names = "--to", paramLabel = "TARGET", defaultValue = "oci:./holdfast-copies",
      description = "REGISTRY[/PATH] or oci:DIR. Default: ${DEFAULT-VALUE}.")
  String to;

  @Option(names = "--scheme", paramLabel = "keep|flatten", defaultValue = "keep",
      description = "keep: TARGET/<source registry>/<source path>:<tag>; flatten: TARGET/<source registry and path"
          + " joined by the separator>:<tag>, for registries with two path levels (Docker Hub, Quay)."
          + " Default: ${DEFAULT-VALUE}.")
  String scheme;

  @Option(names = "--separator", paramLabel = "SEP", defaultValue = "_",
      description = "The flatten separator: _, . or dashes. Default: ${DEFAULT-VALUE}.")
  String separator;

  @Override
  public Integer call() {
    List<CopyRequest> requests = new ArrayList<>();
    List<CopyResult> refused = new ArrayList<>();
    try {
      DestinationNaming naming = DestinationNaming.of(to, DestinationNaming.Scheme.parse(scheme), separator);
      Map<ImageReference, ImageLocation> images = sources();
      if (images.isEmpty()) {
        throw new BadInput(spec, "--from " + from + ": names no images", null);
      }
      images.forEach((image, source) -> {
        ImageLocation destination = naming.destinationFor(image);
        try {
          requests.add(mirrors.request(spec, source, destination, flags.options(spec)));
        } catch (CopyException.SourceBlocked e) {
          // Nothing may be contacted for this image; it fails on its own and the others go on.
          CopyRequest blocked = CopyRequest.of(source, destination, flags.options(spec));
          refused.add(new CopyResult.Failed(blocked, Optional.empty(), e, CopyStats.NONE, Duration.ZERO));
        }
      });
    } catch (IllegalArgumentException | UncheckedIOException | OciLayoutException e) {
      throw new BadInput(spec, e.getMessage(), e);
    }
    try (RegistryClient client = registry.newClient(spec.commandLine().getErr(), mirrors)) {
      return flags.run(spec, client, requests, refused);
    }
  }

  /** Each image to copy, by its original reference, and where to read it. */
  private Map<ImageReference, ImageLocation> sources() {
    Map<ImageReference, ImageLocation> sources = new LinkedHashMap<>();
    if (from.startsWith("oci:")) {
      LayoutContents contents = LayoutContents.read(Path.of(from.substring("oci:".length())));
      for (String skipped : contents.skipped()) {
        spec.commandLine().getErr().println("holdfast sync: skipping " + from + " " + skipped);
      }
      sources.putAll(contents.images());
    } else {
      for (ImageReference image : ImageListFile.read(Path.of(from))) {
        sources.put(image, new ImageLocation.Registry(image));
      }
    }
    return sources;
  }
}
