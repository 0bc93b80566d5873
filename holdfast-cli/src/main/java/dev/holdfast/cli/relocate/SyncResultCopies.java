package dev.holdfast.cli.relocate;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The copies a {@code holdfast sync --output json} result names: each entry's {@code source}, and
 * its {@code destination} pinned to its {@code digest} (the copy's own digest, which differs from
 * the source's after a {@code --platform} filter). Entries that failed, or that went into an OCI
 * layout, give no copy, and say why.
 */
public final class SyncResultCopies implements Copies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String origin;
  private final Map<ImageReference, Lookup> bySource;
  private final Set<String> copyNames;

  private SyncResultCopies(String origin, Map<ImageReference, Lookup> bySource, Set<String> copyNames) {
    this.origin = origin;
    this.bySource = bySource;
    this.copyNames = copyNames;
  }

  /**
   * Reads a sync result.
   *
   * @param origin names the file in messages
   * @throws IllegalArgumentException naming the file and the entry when it is not a sync result
   */
  public static SyncResultCopies parse(String json, String origin) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(origin + ": not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.path("images").isArray()) {
      throw new IllegalArgumentException(origin
          + ": not a holdfast sync --output json result (it has no \"images\" list)");
    }
    Map<ImageReference, Lookup> bySource = new HashMap<>();
    Set<String> copyNames = new HashSet<>();
    int i = 0;
    for (JsonNode entry : root.path("images")) {
      String at = origin + ": images[" + i++ + "]";
      Optional<ImageReference> source = source(text(entry, "source", at), at);
      String status = text(entry, "status", at);
      ImageLocation destination = location(text(entry, "destination", at), at, "destination");
      if (destination instanceof ImageLocation.Registry registry) {
        copyNames.add(registry.reference().name());
      }
      if (source.isEmpty()) {
        continue; // an unnamed layout entry: no manifest can name it
      }
      Lookup lookup = switch (status) {
        case "copied", "present" -> switch (destination) {
          case ImageLocation.Registry registry ->
              new Found(registry.reference().withDigest(digest(text(entry, "digest", at), at)));
          case ImageLocation.Layout layout -> new Missing("sync copied it into " + layout
              + ", which manifests cannot name (" + origin + ")");
        };
        case "failed" -> new Missing("sync failed to copy it (" + origin + "): " + entry.path("error").asText("?"));
        default -> throw new IllegalArgumentException(at + ": unknown status \"" + status
            + "\" (expected copied, present or failed)");
      };
      bySource.merge(source.get(), lookup, (before, now) -> now instanceof Found ? now : before);
    }
    return new SyncResultCopies(origin, Map.copyOf(bySource), Set.copyOf(copyNames));
  }

  @Override
  public boolean isCopy(ImageReference image) {
    return copyNames.contains(image.name());
  }

  @Override
  public Lookup find(ImageReference source) {
    return bySource.getOrDefault(source, new Missing("not in " + origin));
  }

  // The source as sync names it: docker://REF, or oci:DIR:NAME for the far side of an air gap,
  // where NAME is the image's original reference.
  private static Optional<ImageReference> source(String text, String at) {
    return switch (location(text, at, "source")) {
      case ImageLocation.Registry registry -> Optional.of(registry.reference());
      case ImageLocation.Layout layout -> layout.name().flatMap(SyncResultCopies::reference);
    };
  }

  private static Optional<ImageReference> reference(String name) {
    try {
      return Optional.of(ImageReference.parse(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static ImageLocation location(String text, String at, String field) {
    try {
      return ImageLocation.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + ": \"" + field + "\": " + e.getMessage(), e);
    }
  }

  private static Digest digest(String text, String at) {
    try {
      return Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + ": \"digest\": " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode entry, String field, String at) {
    JsonNode value = entry.path(field);
    if (!value.isTextual()) {
      throw new IllegalArgumentException(at + ": \"" + field + "\" is missing or not a string");
    }
    return value.asText();
  }
}
