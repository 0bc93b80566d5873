package dev.holdfast.operator.rewrite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The annotation {@code holdfast.dev/original-images}: what each rewritten image field held before,
 * as written, keyed by field ({@code {"containers/web":"nginx:1.27"}}). {@code holdfast restore}
 * puts these back; the operator reads them to know the source of a field that names a copy.
 */
public final class OriginalImages {
  /** The annotation's key. */
  public static final String ANNOTATION = "holdfast.dev/original-images";
  /** Set, with the pull secret's name, when the operator appended that secret to the Pod spec. */
  public static final String PULL_SECRET_ANNOTATION = "holdfast.dev/pull-secret";

  private static final ObjectMapper JSON = new ObjectMapper();

  private OriginalImages() {}

  /** The originals recorded in {@code annotations}; empty when there are none or they do not parse. */
  public static Map<String, String> read(Map<String, String> annotations) {
    return parse(annotations == null ? null : annotations.get(ANNOTATION));
  }

  /**
   * A map of field keys to images as this annotation (or {@code holdfast.dev/copy-images}) writes
   * it; empty when the text is absent or does not parse.
   */
  public static Map<String, String> parse(String value) {
    if (value == null || value.isBlank()) {
      return Map.of();
    }
    Map<String, String> read;
    try {
      read = JSON.readValue(value, new TypeReference<Map<String, String>>() {});
    } catch (JsonProcessingException e) {
      return Map.of();
    }
    if (read == null) { // the text "null"
      return Map.of();
    }
    read.values().removeIf(Objects::isNull); // {"containers/web":null}: anyone may edit the annotation
    return Map.copyOf(read);
  }

  /** The annotation's value for {@code originals}, keys sorted so equal maps give equal text. */
  public static String write(Map<String, String> originals) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(originals));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("write " + ANNOTATION, e);
    }
  }
}
