package dev.holdfast.oci.copy;

import dev.holdfast.oci.layout.OciLayout;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The images of an OCI layout that are named by full image references, as {@code holdfast sync
 * --to oci:DIR} names them ({@code docker.io/library/nginx:1.27}): what {@code holdfast sync --from
 * oci:DIR} copies on the far side of an air gap, each back under its original name.
 *
 * @param images each image's original reference and where it is in the layout, in index order; a
 *     name that occurs twice counts once, the last entry winning as in {@link OciLayout#resolve}
 * @param skipped the entries that are not named by a full reference, each with the reason
 */
public record LayoutContents(Map<ImageReference, ImageLocation.Layout> images, List<String> skipped) {

  public LayoutContents {
    images = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(images));
    skipped = List.copyOf(skipped);
  }

  /**
   * Reads the index of the layout at {@code directory}.
   *
   * @throws dev.holdfast.oci.layout.OciLayoutException when it is not an OCI layout
   */
  public static LayoutContents read(Path directory) {
    OciLayout layout = OciLayout.open(directory);
    Map<ImageReference, ImageLocation.Layout> images = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    int position = 0;
    for (Descriptor entry : layout.entries()) {
      position++;
      String name = entry.annotations().get(OciLayout.REF_NAME);
      if (name == null || name.isEmpty()) {
        skipped.add("entry " + position + " (" + entry.digest() + ") has no name");
        continue;
      }
      try {
        ImageReference reference = ImageReference.parse(name);
        if (!hasExplicitRegistry(name)) {
          skipped.add("entry " + position + " is named \"" + name + "\", not a full image reference "
              + "(registry/repository:tag); copy it with: holdfast copy oci:" + layout.directory() + ":" + name + " DST");
          continue;
        }
        images.remove(reference);
        images.put(reference, ImageLocation.Layout.of(layout.directory(), name));
      } catch (InvalidReferenceException e) {
        skipped.add("entry " + position + " is named \"" + name + "\", which is not an image reference: " + e.getMessage());
      }
    }
    return new LayoutContents(images, skipped);
  }

  /** Whether the name starts with a registry host, as the reference grammar tells one apart. */
  private static boolean hasExplicitRegistry(String name) {
    int slash = name.indexOf('/');
    return slash >= 0 && ImageReference.isRegistryHost(name.substring(0, slash));
  }
}
