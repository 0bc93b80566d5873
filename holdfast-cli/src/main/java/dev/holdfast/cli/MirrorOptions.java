package dev.holdfast.cli;

import dev.holdfast.oci.copy.CopyOptions;
import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.copy.MirroredSources;
import dev.holdfast.oci.mirror.MirrorConfigException;
import dev.holdfast.oci.mirror.MirrorConfigLoader;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.oci.tls.TrustConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --mirrors FILE_OR_DIR} (a picocli mixin), shared by {@code resolve}, {@code copy} and {@code sync}: loads
 * the rules, turns each registry source into a request that pulls through its mirrors, and adds the
 * mirrors' CA bundles and insecure flags to the client's trust.
 */
final class MirrorOptions {

  @Option(names = "--mirrors", paramLabel = "FILE_OR_DIR",
      description = "Mirror configuration: registries.conf (TOML), a registries.conf.d directory,"
          + " ImageDigestMirrorSet / ImageTagMirrorSet / ImageContentSourcePolicy YAML, or a"
          + " 'redirects:' list. Repeatable; all are merged into one rule set.")
  List<Path> mirrors = new ArrayList<>();

  private MirroredSources mirrored;
  private final List<ImageReference> requested = new ArrayList<>();

  /**
   * The merged rules; empty without {@code --mirrors}.
   *
   * @throws MirrorConfigException naming the file, entry and field of invalid configuration
   */
  MirrorRules rules() {
    return mirrors.isEmpty() ? MirrorRules.empty() : MirrorConfigLoader.load(mirrors);
  }

  /**
   * A request that reads {@code source} through its mirrors (a registry source under
   * {@code --mirrors}), or from {@code source} alone.
   *
   * @throws BadInput when the mirror configuration is invalid
   * @throws dev.holdfast.oci.copy.CopyException.SourceBlocked when the source is blocked and no
   *     mirror may serve it
   */
  CopyRequest request(CommandSpec spec, ImageLocation source, ImageLocation destination, CopyOptions options) {
    if (mirrors.isEmpty() || !(source instanceof ImageLocation.Registry registry)) {
      return CopyRequest.of(source, destination, options);
    }
    if (mirrored == null) {
      try {
        mirrored = MirroredSources.of(rules());
      } catch (MirrorConfigException e) {
        throw new BadInput(spec, e.getMessage(), e);
      }
    }
    CopyRequest request;
    try {
      request = mirrored.request(registry.reference(), destination, options);
    } catch (MirrorConfigException e) {
      throw new BadInput(spec, e.getMessage(), e);
    }
    requested.add(registry.reference());
    return request;
  }

  /** Adds the trust the mirrors of every {@link #request}ed image need; returns the bundles read. */
  List<PemBundle> addTrust(TrustConfig.Builder trust) {
    return mirrored == null ? List.of() : mirrored.addTrust(trust, requested);
  }
}
