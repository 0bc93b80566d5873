package dev.holdfast.cli.relocate;

import dev.holdfast.oci.OciException;
import dev.holdfast.oci.copy.DestinationNaming;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import java.util.Optional;

/**
 * Copies at a destination registry, named as {@code holdfast sync --to TARGET} names them ({@link
 * DestinationNaming}): each is asked for with a manifest {@code HEAD}, which gives its digest. A
 * source with a digest is asked for by that digest, so a copy is only ever the same image.
 */
public final class DestinationCopies implements Copies {

  /** A manifest {@code HEAD}: the digest of what the registry holds under a reference, or empty. */
  @FunctionalInterface
  public interface ManifestDigests {
    /** @throws OciException when the registry cannot answer (unreachable, unauthorized, TLS) */
    Optional<Digest> head(ImageReference image);
  }

  private final DestinationNaming naming;
  private final String registry;
  private final String prefix;
  private final ManifestDigests registryDigests;

  private DestinationCopies(DestinationNaming naming, String registry, String prefix, ManifestDigests digests) {
    this.naming = naming;
    // ImageReference.parse reads index.docker.io as docker.io: compare with the name as parsed
    this.registry = registry.equals("index.docker.io") ? ImageReference.DOCKER_HUB : registry;
    this.prefix = prefix;
    this.registryDigests = digests;
  }

  /**
   * Copies named by {@code naming} and asked for through {@code digests}.
   *
   * @throws IllegalArgumentException for a naming into an OCI layout: manifests cannot name an image there
   */
  public static DestinationCopies of(DestinationNaming naming, ManifestDigests digests) {
    return switch (naming) {
      case DestinationNaming.Keep keep -> new DestinationCopies(naming, keep.registry(), keep.prefix(), digests);
      case DestinationNaming.Flatten flat -> new DestinationCopies(naming, flat.registry(), flat.namespace(), digests);
      case DestinationNaming.IntoLayout layout -> throw new IllegalArgumentException("the copies in OCI layout "
          + layout.directory() + " cannot be named in manifests: name the registry they were synced to");
    };
  }

  @Override
  public boolean isCopy(ImageReference image) {
    return image.registry().equalsIgnoreCase(registry)
        && (prefix.isEmpty() || image.repository().equals(prefix) || image.repository().startsWith(prefix + "/"));
  }

  @Override
  public Lookup find(ImageReference source) {
    ImageReference copy;
    try {
      copy = ((ImageLocation.Registry) naming.destinationFor(source)).reference();
    } catch (IllegalArgumentException e) {
      return new Missing(e.getMessage());
    }
    try {
      return registryDigests.head(copy).<Lookup>map(digest -> new Found(copy.withDigest(digest)))
          .orElseGet(() -> new Missing("not found at " + copy));
    } catch (OciException e) {
      return new Missing(e.getMessage());
    }
  }
}
