package dev.holdfast.cli;

import dev.holdfast.oci.copy.BlobHashing;
import dev.holdfast.oci.copy.CopyEngine;
import dev.holdfast.oci.copy.CopyOptions;
import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.CopyResult;
import dev.holdfast.oci.manifest.Platform;
import dev.holdfast.oci.registry.RegistryClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options {@code copy} and {@code sync} share (a picocli mixin), and the run they share: engine, progress, report. */
final class CopyFlags {
  /** How results are printed. */
  enum Output {
    text,
    json
  }

  @Option(names = "--all",
      description = "Copy every platform of an index. Holdfast does that anyway (skopeo copies only the"
          + " host's platform unless given --all); accepted so that skopeo command lines work.")
  boolean all;

  @Option(names = "--platform", split = ",", paramLabel = "OS/ARCH[/VARIANT]",
      description = "Copy only these platforms of an index, e.g. linux/amd64,linux/arm64. The copy then gets a"
          + " new index whose digest differs from the source's; the report says so.")
  List<String> platforms = new ArrayList<>();

  @Option(names = "--with-referrers",
      description = "Also copy signatures, attestations and SBOMs: OCI referrers and cosign's sha256-<hex>.sig,"
          + " .att and .sbom tags.")
  boolean withReferrers;

  @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
      description = "text (a table at the end) or json (one document on stdout). Default: ${DEFAULT-VALUE}.")
  Output output;

  @Option(names = "--hash-blobs", paramLabel = "auto|always", defaultValue = "auto",
      description = "auto: each blob is hashed once, where it is stored: by Holdfast for an OCI layout and for a"
          + " registry that does not check digests, by the destination registry when it does (probed once per"
          + " registry). always: Holdfast hashes every blob too. Default: ${DEFAULT-VALUE}.")
  HashBlobs hashBlobs;

  @Option(names = "--source-parallelism", paramLabel = "N", defaultValue = "8",
      description = "Blob transfers in flight per source registry or layout. Default: ${DEFAULT-VALUE}.")
  int sourceParallelism;

  @Option(names = "--destination-parallelism", paramLabel = "N", defaultValue = "8",
      description = "Blob transfers in flight per destination registry or layout. Default: ${DEFAULT-VALUE}.")
  int destinationParallelism;

  /** Who hashes blobs: {@link BlobHashing}, spelt for the command line. */
  enum HashBlobs {
    auto(BlobHashing.AUTO),
    always(BlobHashing.ALWAYS);

    final BlobHashing hashing;

    HashBlobs(BlobHashing hashing) {
      this.hashing = hashing;
    }
  }

  CopyOptions options(CommandSpec spec) {
    if (all && !platforms.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--all and --platform exclude each other");
    }
    if (sourceParallelism < 1 || destinationParallelism < 1) {
      throw new ParameterException(spec.commandLine(), "--source-parallelism and --destination-parallelism must be >= 1");
    }
    List<Platform> parsed = new ArrayList<>();
    for (String p : platforms) {
      try {
        parsed.add(Platform.parse(p));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--platform: " + e.getMessage(), e);
      }
    }
    return new CopyOptions(parsed, withReferrers);
  }

  /** Runs the copies, shows progress on stderr and the report on stdout; returns the exit code. */
  int run(CommandSpec spec, RegistryClient client, List<CopyRequest> requests) {
    return run(spec, client, requests, List.of());
  }

  /**
   * Copies {@code requests} and reports them together with {@code refused}: images that failed
   * before any copy started (a blocked source with no usable mirror).
   */
  int run(CommandSpec spec, RegistryClient client, List<CopyRequest> requests, List<CopyResult> refused) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<CopyResult> results = new ArrayList<>(refused);
    boolean live = output == Output.text && CopyProgress.terminalIsLive();
    try (CopyProgress progress = new CopyProgress(err, live, requests.size());
        CopyEngine engine = CopyEngine.builder(client).sourceConcurrency(sourceParallelism)
            .destinationConcurrency(destinationParallelism).blobHashing(hashBlobs.hashing).listener(progress)
            .build()) {
      // Stopped by a signal (the JVM runs its shutdown hooks, the copies just end): say how far it got.
      Thread stopped = new Thread(() -> {
        err.println((live ? "\n" : "") + spec.qualifiedName() + ": " + progress.stoppedEarly());
        err.flush();
      }, "holdfast-stopped");
      Runtime.getRuntime().addShutdownHook(stopped);
      try {
        results.addAll(engine.copyAll(requests));
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(stopped);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs, or has run
        }
      }
    }
    if (output == Output.json) {
      CopyReport.printJson(out, results);
    } else {
      CopyReport.printTable(out, results);
    }
    return CopyReport.exitCode(results);
  }
}
