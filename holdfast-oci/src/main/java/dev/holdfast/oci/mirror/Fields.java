package dev.holdfast.oci.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Typed access to the fields of one configuration entry, with errors naming file, entry, field. */
final class Fields {

  private final Path file;
  private final String entry;
  private final JsonNode node;

  Fields(Path file, String entry, JsonNode node) {
    this.file = file;
    this.entry = entry;
    this.node = node;
  }

  static Fields of(Path file, String entry, JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new MirrorConfigException(
          file, entry, null, "must be a table/mapping, not " + describe(node));
    }
    return new Fields(file, entry, node);
  }

  JsonNode node() {
    return node;
  }

  String entry() {
    return entry;
  }

  MirrorConfigException problem(String field, String problem) {
    return new MirrorConfigException(file, entry, field, problem);
  }

  Optional<String> string(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw problem(field, "must be a string, not " + describe(value));
    }
    return Optional.of(value.asText());
  }

  boolean bool(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw problem(field, "must be true or false, not " + describe(value));
    }
    return value.asBoolean();
  }

  /** An array field; absent means empty. */
  List<JsonNode> array(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      throw problem(field, "must be a list, not " + describe(value));
    }
    List<JsonNode> items = new ArrayList<>();
    value.forEach(items::add);
    return items;
  }

  List<String> strings(String field) {
    List<String> result = new ArrayList<>();
    List<JsonNode> items = array(field);
    for (int i = 0; i < items.size(); i++) {
      if (!items.get(i).isTextual()) {
        throw problem(field + "[" + i + "]", "must be a string, not " + describe(items.get(i)));
      }
      result.add(items.get(i).asText());
    }
    return result;
  }

  static String describe(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "nothing";
    }
    if (value.isObject()) {
      return "a table/mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    String text = value.toString();
    return text.length() > 60 ? text.substring(0, 60) + "..." : text;
  }
}
