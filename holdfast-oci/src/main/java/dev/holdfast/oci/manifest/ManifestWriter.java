package dev.holdfast.oci.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes manifests and indexes as compact JSON with a fixed field order (the order of the specs'
 * property tables) and annotations sorted by key, so equal inputs give equal bytes and digests.
 */
final class ManifestWriter {
  private ManifestWriter() {}

  static byte[] imageManifest(String mediaType, String artifactType, Descriptor config,
      List<Descriptor> layers, Descriptor subject, Map<String, String> annotations) {
    ObjectNode root = header(mediaType, artifactType);
    root.set("config", descriptor(config));
    ArrayNode array = root.putArray("layers");
    layers.forEach(layer -> array.add(descriptor(layer)));
    return trailer(root, subject, annotations);
  }

  static byte[] imageIndex(String mediaType, String artifactType, List<Descriptor> manifests,
      Descriptor subject, Map<String, String> annotations) {
    ObjectNode root = header(mediaType, artifactType);
    ArrayNode array = root.putArray("manifests");
    manifests.forEach(manifest -> array.add(descriptor(manifest)));
    return trailer(root, subject, annotations);
  }

  private static ObjectNode header(String mediaType, String artifactType) {
    ObjectNode root = ManifestParser.newObject();
    root.put("schemaVersion", 2);
    root.put("mediaType", mediaType);
    if (artifactType != null) {
      root.put("artifactType", artifactType);
    }
    return root;
  }

  private static byte[] trailer(ObjectNode root, Descriptor subject, Map<String, String> annotations) {
    if (subject != null) {
      root.set("subject", descriptor(subject));
    }
    putAnnotations(root, annotations);
    try {
      return ManifestParser.MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode descriptor(Descriptor descriptor) {
    ObjectNode node = ManifestParser.newObject();
    node.put("mediaType", descriptor.mediaType());
    descriptor.artifactType().ifPresent(type -> node.put("artifactType", type));
    node.put("digest", descriptor.digest().toString());
    node.put("size", descriptor.size());
    if (!descriptor.urls().isEmpty()) {
      ArrayNode urls = node.putArray("urls");
      descriptor.urls().forEach(urls::add);
    }
    putAnnotations(node, descriptor.annotations());
    descriptor.platform().ifPresent(platform -> {
      ObjectNode p = node.putObject("platform");
      p.put("architecture", platform.architecture());
      p.put("os", platform.os());
      platform.osVersion().ifPresent(v -> p.put("os.version", v));
      if (!platform.osFeatures().isEmpty()) {
        ArrayNode features = p.putArray("os.features");
        platform.osFeatures().forEach(features::add);
      }
      platform.variant().ifPresent(v -> p.put("variant", v));
    });
    return node;
  }

  private static void putAnnotations(ObjectNode node, Map<String, String> annotations) {
    if (annotations != null && !annotations.isEmpty()) {
      ObjectNode object = node.putObject("annotations");
      new TreeMap<>(annotations).forEach(object::put);
    }
  }
}
