package dev.holdfast.oci.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.oci.reference.Digest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Typed reads of manifest JSON fields; failures name the field path, e.g. {@code layers[2].digest}. */
final class Json {

  /** RFC 6838 section 4.2 restricted-name, as type "/" subtype (no parameters in descriptors). */
  private static final Pattern MEDIA_TYPE = Pattern.compile(
      "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

  /** A field is missing or has the wrong type or value. */
  static final class FieldException extends RuntimeException {
    FieldException(String path, String problem) {
      super(path + ": " + problem);
    }
  }

  private Json() {}

  static String path(String prefix, String field) {
    return prefix.isEmpty() ? field : prefix + "." + field;
  }

  static Optional<String> optionalString(JsonNode parent, String field, String prefix) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw new FieldException(path(prefix, field), "must be a string, got " + kind(node));
    }
    return Optional.of(node.textValue());
  }

  static String requiredString(JsonNode parent, String field, String prefix) {
    return optionalString(parent, field, prefix)
        .orElseThrow(() -> new FieldException(path(prefix, field), "required field is missing"));
  }

  static List<String> stringList(JsonNode parent, String field, String prefix) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new FieldException(path(prefix, field), "must be an array of strings, got " + kind(node));
    }
    List<String> values = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      if (!item.isTextual()) {
        throw new FieldException(path(prefix, field) + "[" + i + "]", "must be a string, got " + kind(item));
      }
      values.add(item.textValue());
    }
    return values;
  }

  static Map<String, String> stringMap(JsonNode parent, String field, String prefix) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new FieldException(path(prefix, field), "must be an object of strings, got " + kind(node));
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      if (!entry.getValue().isTextual()) {
        throw new FieldException(path(prefix, field) + "[\"" + entry.getKey() + "\"]",
            "must be a string, got " + kind(entry.getValue()));
      }
      values.put(entry.getKey(), entry.getValue().textValue());
    }
    return values;
  }

  static List<Descriptor> descriptors(JsonNode parent, String field, String prefix) {
    JsonNode node = parent.get(field);
    String path = path(prefix, field);
    if (node == null || node.isNull()) {
      throw new FieldException(path, "required field is missing");
    }
    if (!node.isArray()) {
      throw new FieldException(path, "must be an array of descriptors, got " + kind(node));
    }
    List<Descriptor> values = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      values.add(descriptor(node.get(i), path + "[" + i + "]"));
    }
    return values;
  }

  static Descriptor requiredDescriptor(JsonNode parent, String field, String prefix) {
    return optionalDescriptor(parent, field, prefix)
        .orElseThrow(() -> new FieldException(path(prefix, field), "required field is missing"));
  }

  static Optional<Descriptor> optionalDescriptor(JsonNode parent, String field, String prefix) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    return Optional.of(descriptor(node, path(prefix, field)));
  }

  static Descriptor descriptor(JsonNode node, String path) {
    if (!node.isObject()) {
      throw new FieldException(path, "must be a descriptor object, got " + kind(node));
    }
    String mediaType = requiredString(node, "mediaType", path);
    if (!MEDIA_TYPE.matcher(mediaType).matches()) {
      throw new FieldException(path(path, "mediaType"), "\"" + mediaType + "\" is not a valid media type");
    }
    String digestText = requiredString(node, "digest", path);
    Digest digest;
    try {
      digest = Digest.parse(digestText);
    } catch (IllegalArgumentException e) {
      // the reference package's message repeats the input; keep only its explanation
      String message = String.valueOf(e.getMessage());
      int explanation = message.indexOf("\": ");
      throw new FieldException(path(path, "digest"), "invalid digest \"" + digestText + "\": "
          + (explanation < 0 ? message : message.substring(explanation + 3)));
    }
    JsonNode size = node.get("size");
    if (size == null || size.isNull()) {
      throw new FieldException(path(path, "size"), "required field is missing");
    }
    if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
      throw new FieldException(path(path, "size"), "must be a non-negative 64-bit integer, got " + size);
    }
    Optional<String> data = optionalString(node, "data", path);
    if (data.isPresent()) {
      try {
        byte[] decoded = java.util.Base64.getDecoder().decode(data.get());
        if (decoded.length != size.longValue()) {
          throw new FieldException(path(path, "data"), "decodes to " + decoded.length
              + " bytes but size is " + size.longValue());
        }
      } catch (IllegalArgumentException e) {
        throw new FieldException(path(path, "data"), "is not valid base64");
      }
    }
    return new Descriptor(
        mediaType,
        digest,
        size.longValue(),
        platform(node, path),
        stringMap(node, "annotations", path),
        optionalString(node, "artifactType", path),
        stringList(node, "urls", path));
  }

  private static Optional<Platform> platform(JsonNode descriptor, String prefix) {
    JsonNode node = descriptor.get("platform");
    String path = path(prefix, "platform");
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      throw new FieldException(path, "must be an object, got " + kind(node));
    }
    return Optional.of(new Platform(
        requiredString(node, "os", path),
        requiredString(node, "architecture", path),
        optionalString(node, "variant", path),
        optionalString(node, "os.version", path),
        stringList(node, "os.features", path)));
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number (" + node + ")";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
