package dev.holdfast.oci.copy;

import java.util.List;
import java.util.Objects;

/**
 * One image to copy.
 *
 * @param sources where the image can be read, tried in order: the first that has it serves the
 *     copy; the next is tried when one is unreachable, refuses the credentials, fails TLS or lacks
 *     the image (a mirror list, or just the one source)
 * @param destination where the copy goes
 * @param options platforms and referrers
 */
public record CopyRequest(List<ImageLocation> sources, ImageLocation destination, CopyOptions options) {

  public CopyRequest {
    sources = List.copyOf(sources);
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("a copy needs at least one source");
    }
    Objects.requireNonNull(destination, "destination");
    options = options == null ? CopyOptions.defaults() : options;
  }

  /** A copy from one source. */
  public static CopyRequest of(ImageLocation source, ImageLocation destination, CopyOptions options) {
    return new CopyRequest(List.of(source), destination, options);
  }

  /** The first source: the image as the user named it. */
  public ImageLocation source() {
    return sources.get(0);
  }
}
