package dev.holdfast.oci.layout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.Platform;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.InvalidReferenceException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Descriptors of {@code index.json} entries, to and from JSON. */
final class LayoutJson {
  private LayoutJson() {}

  static Descriptor descriptor(JsonNode entry, Path layout) {
    String mediaType = entry.path("mediaType").asText("");
    String digestText = entry.path("digest").asText("");
    Digest digest;
    try {
      digest = Digest.parse(digestText);
    } catch (InvalidReferenceException e) {
      throw new OciLayoutException("read index.json of OCI layout " + layout + ": entry has an invalid digest \""
          + digestText + "\"");
    }
    if (!entry.path("size").canConvertToLong() || entry.path("size").asLong() < 0) {
      throw new OciLayoutException("read index.json of OCI layout " + layout + ": entry " + digest
          + " has no valid size");
    }
    Map<String, String> annotations = new TreeMap<>();
    entry.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
    List<String> urls = new ArrayList<>();
    entry.path("urls").forEach(u -> urls.add(u.asText()));
    Optional<Platform> platform = Optional.empty();
    JsonNode p = entry.path("platform");
    if (p.isObject() && p.hasNonNull("os") && p.hasNonNull("architecture")) {
      List<String> features = new ArrayList<>();
      p.path("os.features").forEach(f -> features.add(f.asText()));
      platform = Optional.of(new Platform(p.path("os").asText(), p.path("architecture").asText(),
          Optional.ofNullable(p.path("variant").textValue()), Optional.ofNullable(p.path("os.version").textValue()),
          features));
    }
    return new Descriptor(mediaType, digest, entry.path("size").asLong(), platform, annotations,
        Optional.ofNullable(entry.path("artifactType").textValue()), urls);
  }

  static ObjectNode toJson(Descriptor d) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("mediaType", d.mediaType());
    node.put("digest", d.digest().toString());
    node.put("size", d.size());
    d.artifactType().ifPresent(a -> node.put("artifactType", a));
    if (!d.urls().isEmpty()) {
      d.urls().forEach(node.putArray("urls")::add);
    }
    if (!d.annotations().isEmpty()) {
      ObjectNode annotations = node.putObject("annotations");
      d.annotations().forEach(annotations::put);
    }
    d.platform().ifPresent(p -> {
      ObjectNode platform = node.putObject("platform");
      platform.put("architecture", p.architecture());
      platform.put("os", p.os());
      p.osVersion().ifPresent(v -> platform.put("os.version", v));
      if (!p.osFeatures().isEmpty()) {
        p.osFeatures().forEach(platform.putArray("os.features")::add);
      }
      p.variant().ifPresent(v -> platform.put("variant", v));
    });
    return node;
  }
}
