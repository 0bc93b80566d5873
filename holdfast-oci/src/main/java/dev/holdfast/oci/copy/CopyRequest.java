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
 * @param source the image as the user named it, for reports and messages; by default the first
 *     source. With mirrors it may be none of the sources (a blocked source is never read).
 */
public record CopyRequest(
    List<ImageLocation> sources, ImageLocation destination, CopyOptions options, ImageLocation source) {

  public CopyRequest {
    sources = List.copyOf(sources);
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("a copy needs at least one source");
    }
    Objects.requireNonNull(destination, "destination");
    options = options == null ? CopyOptions.defaults() : options;
    source = source == null ? sources.get(0) : source;
  }

  /** A copy from the first of {@code sources} that has the image, named after the first. */
  public CopyRequest(List<ImageLocation> sources, ImageLocation destination, CopyOptions options) {
    this(sources, destination, options, null);
  }

  /** A copy from one source. */
  public static CopyRequest of(ImageLocation source, ImageLocation destination, CopyOptions options) {
    return new CopyRequest(List.of(source), destination, options);
  }
}
