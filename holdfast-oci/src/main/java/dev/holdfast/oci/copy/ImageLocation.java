package dev.holdfast.oci.copy;

import dev.holdfast.oci.layout.LayoutNames;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an image lives: in a registry, or in an OCI image layout on disk.
 *
 * <p>{@link #parse} accepts the forms skopeo accepts for these two transports: {@code docker://REF}
 * or a bare reference ({@code nginx:1.27}) for a registry, and {@code oci:DIR[:NAME]} for a layout.
 */
public sealed interface ImageLocation permits ImageLocation.Registry, ImageLocation.Layout {

  /**
   * Parses {@code docker://REF}, {@code oci:DIR[:NAME]} or a bare image reference.
   *
   * <p>As in skopeo, {@code oci:} splits at the first colon after the prefix: the directory cannot
   * contain a colon, and the name (the image's {@code org.opencontainers.image.ref.name} in
   * {@code index.json}) may contain further colons, e.g. {@code oci:/backup:docker.io/library/nginx:1.27}.
   *
   * @throws IllegalArgumentException naming the input when it is none of these
   */
  static ImageLocation parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("image location is empty: expected docker://REF, oci:DIR[:NAME] or REF");
    }
    if (text.startsWith("oci:")) {
      String rest = text.substring("oci:".length());
      int colon = rest.indexOf(':');
      String dir = colon < 0 ? rest : rest.substring(0, colon);
      String name = colon < 0 ? "" : rest.substring(colon + 1);
      if (dir.isEmpty()) {
        throw new IllegalArgumentException("invalid image location \"" + text + "\": oci: needs a directory, as in oci:DIR[:NAME]");
      }
      if (!name.isEmpty() && !LayoutNames.isValid(name)) {
        throw new IllegalArgumentException("invalid image location \"" + text + "\": \"" + name
            + "\" is not a valid image name within an OCI layout (letters and digits separated by - . _ : @ + or --,"
            + " components separated by /)");
      }
      return new Layout(Path.of(dir), name.isEmpty() ? Optional.empty() : Optional.of(name));
    }
    String reference = text;
    if (text.startsWith("http://") || text.startsWith("https://")) {
      throw new IllegalArgumentException(UrlMistake.explain("image location", text));
    }
    if (text.startsWith("docker://")) {
      reference = text.substring("docker://".length());
    } else if (text.matches("(dir|oci-archive|docker-archive|docker-daemon|containers-storage|ostree|sif|tarball):.*")) {
      throw new IllegalArgumentException("unsupported transport in \"" + text
          + "\": Holdfast copies docker://REF (or a bare REF) and oci:DIR[:NAME]");
    }
    if (text.startsWith("docker:") && !text.startsWith("docker://")) {
      throw new IllegalArgumentException("invalid image location \"" + text + "\": write docker://REF (two slashes)");
    }
    try {
      return new Registry(ImageReference.parse(reference));
    } catch (InvalidReferenceException e) {
      throw new IllegalArgumentException("invalid image location \"" + text + "\": " + e.getMessage(), e);
    }
  }

  /** The form {@link #parse} reads. */
  @Override
  String toString();

  /** An image in a registry; the reference carries a tag, a digest or both. */
  record Registry(ImageReference reference) implements ImageLocation {
    public Registry {
      Objects.requireNonNull(reference, "reference");
    }

    @Override
    public String toString() {
      return "docker://" + reference;
    }
  }

  /**
   * An image in an OCI layout directory, named by {@code name} in its {@code index.json}; without a
   * name, the layout's only image (as a source) or an unnamed entry (as a destination).
   */
  record Layout(Path directory, Optional<String> name) implements ImageLocation {
    public Layout {
      Objects.requireNonNull(directory, "directory");
      name = Objects.requireNonNullElse(name, Optional.empty());
      name.ifPresent(LayoutNames::requireValid);
    }

    /** A layout location with a name. */
    public static Layout of(Path directory, String name) {
      return new Layout(directory, Optional.of(name));
    }

    @Override
    public String toString() {
      return "oci:" + directory + name.map(n -> ":" + n).orElse("");
    }
  }
}
