package dev.holdfast.oci.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link SyntheticImage#writeTo} wrote: the top-level manifest or index and, per platform,
 * the image manifest with its config and layers.
 *
 * @param layout the OCI image layout directory
 * @param tag the {@code org.opencontainers.image.ref.name} of the image in the layout
 * @param format OCI or Docker media types
 * @param top the descriptor of the top-level manifest (single image) or index (multi-arch)
 * @param manifests one entry per platform (exactly one for a single-arch image)
 * @param dirCopy for Docker media types, a copy in skopeo's {@code dir:} format (see {@link
 *     #skopeoSource()}); empty for OCI
 */
public record WrittenImage(
    Path layout,
    String tag,
    SyntheticImage.Format format,
    Descriptor top,
    boolean isIndex,
    List<PlatformManifest> manifests,
    Optional<Path> dirCopy) {

  /** One platform's image manifest. */
  public record PlatformManifest(
      String platform, Descriptor manifest, Descriptor config, List<Descriptor> layers) {
    /** Copies the list. */
    public PlatformManifest {
      layers = List.copyOf(layers);
    }
  }

  /** Copies the list. */
  public WrittenImage {
    manifests = List.copyOf(manifests);
  }

  /** The digest of the top-level manifest or index, {@code sha256:<hex>}. */
  public String digest() {
    return top.digest();
  }

  /** The media type of the top-level manifest or index. */
  public String mediaType() {
    return top.mediaType();
  }

  /** The distinct layers of every platform, in order of first appearance. */
  public List<Descriptor> layers() {
    Set<Descriptor> all = new LinkedHashSet<>();
    manifests.forEach(m -> all.addAll(m.layers()));
    return List.copyOf(all);
  }

  /** Every distinct blob (configs and layers) the image references. */
  public List<Descriptor> blobs() {
    Set<Descriptor> all = new LinkedHashSet<>();
    manifests.forEach(m -> {
      all.add(m.config());
      all.addAll(m.layers());
    });
    return List.copyOf(all);
  }

  /** Sum of the sizes of the distinct layers. */
  public long layerBytes() {
    return layers().stream().mapToLong(Descriptor::size).sum();
  }

  /** The raw bytes of a blob (manifest, index, config or layer) of the layout; mind big layers. */
  public byte[] readBlob(String digest) {
    try {
      return Files.readAllBytes(blobPath(digest));
    } catch (IOException e) {
      throw new UncheckedIOException("read blob " + digest + " of layout " + layout, e);
    }
  }

  /** The file holding a blob of the layout. */
  public Path blobPath(String digest) {
    return layout.resolve("blobs/sha256").resolve(digest.substring(digest.indexOf(':') + 1));
  }

  /** The raw bytes of the top-level manifest or index (their sha256 is {@link #digest()}). */
  public byte[] topBytes() {
    return readBlob(digest());
  }

  /**
   * The skopeo source name: {@code oci:LAYOUT:TAG} for OCI media types, {@code dir:COPY} for
   * Docker media types (skopeo 1.9's {@code oci:} transport skips index.json entries with Docker
   * media types, its {@code dir:} transport copies them unchanged).
   */
  public String skopeoSource() {
    return dirCopy.map(d -> "dir:" + d).orElse("oci:" + layout + ":" + tag);
  }
}
