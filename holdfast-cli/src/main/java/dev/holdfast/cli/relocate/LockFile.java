package dev.holdfast.cli.relocate;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@code --lock} file: each source image, normalised, and the copy it was rewritten to, as
 * written into the manifests. YAML, sorted by source, one line per image, so that it diffs well:
 *
 * <pre>
 * # holdfast relocate --lock: the copy, pinned by digest, that each source image was rewritten to
 * version: 1
 * images:
 *   docker.io/library/nginx:1.27: registry.example.com/keep/docker.io/library/nginx:1.27@sha256:...
 * </pre>
 */
public final class LockFile {
  static final String HEADER =
      "# holdfast relocate --lock: the copy, pinned by digest, that each source image was rewritten to\n";
  private static final YAMLMapper YAML = new YAMLMapper();

  private LockFile() {}

  /** The file's text. */
  public static String render(SortedMap<String, String> images) {
    StringBuilder text = new StringBuilder(HEADER).append("version: 1\n");
    if (images.isEmpty()) {
      return text.append("images: {}\n").toString();
    }
    text.append("images:\n");
    images.forEach((source, copy) ->
        text.append("  ").append(Quoting.PLAIN.render(source)).append(": ").append(Quoting.PLAIN.render(copy))
            .append('\n'));
    return text.toString();
  }

  /**
   * Reads a lock file written by {@link #render}.
   *
   * @throws IllegalArgumentException naming {@code origin} when it is not one
   */
  public static SortedMap<String, String> parse(String text, String origin) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(origin + ": not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.path("version").asInt() != 1 || !root.path("images").isObject()) {
      throw new IllegalArgumentException(origin
          + ": not a holdfast relocate lock file (version: 1 and an images mapping)");
    }
    SortedMap<String, String> images = new TreeMap<>();
    for (Map.Entry<String, JsonNode> entry : root.path("images").properties()) {
      if (!entry.getValue().isTextual()) {
        throw new IllegalArgumentException(origin + ": images: the copy of " + entry.getKey() + " is not a string");
      }
      images.put(entry.getKey(), entry.getValue().asText());
    }
    return images;
  }
}
