package dev.holdfast.oci.manifest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.oci.manifest.InvalidManifestException.Problem;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses and validates manifest JSON against the OCI image-spec v1.1 and Docker v2 schema 2.
 *
 * <p>Validation is strict where a mistake would corrupt a copy (digests, sizes, media types of
 * descriptors, duplicate keys) and lenient where real registries serve fields the specs leave
 * optional (a Docker manifest list entry without a platform is accepted).
 */
final class ManifestParser {

  static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  /** Content types that say nothing about the manifest kind: detect from the body. */
  private static final Set<String> GENERIC = Set.of(
      "", "application/json", "application/octet-stream", "binary/octet-stream", "text/plain");

  private ManifestParser() {}

  static Manifest parse(byte[] raw, String contentType) {
    if (raw == null) {
      throw malformed("manifest body is missing");
    }
    if (raw.length > Manifest.MAX_SIZE) {
      throw new InvalidManifestException(Problem.TOO_LARGE, "manifest is " + raw.length
          + " bytes, more than the " + Manifest.MAX_SIZE + " bytes (4 MiB) Holdfast accepts");
    }
    String declared = MediaTypes.normalize(contentType);
    if (MediaTypes.isSchema1(declared)) {
      throw schema1(declared);
    }
    if (!GENERIC.contains(declared) && !MediaTypes.isManifest(declared)) {
      throw unsupported(declared);
    }
    JsonNode root = readTree(raw);
    if (!root.isObject()) {
      throw malformed("manifest must be a JSON object, not " + describe(root));
    }
    JsonNode schemaVersion = root.get("schemaVersion");
    if (schemaVersion != null && schemaVersion.isIntegralNumber() && schemaVersion.asInt() == 1) {
      throw schema1("schemaVersion 1");
    }
    Optional<String> bodyType = Json.optionalString(root, "mediaType", "");
    String type = resolveType(declared, bodyType, root);
    if (schemaVersion == null) {
      throw malformed(type, "schemaVersion: required field is missing");
    }
    if (!schemaVersion.isIntegralNumber() || schemaVersion.asLong() != 2) {
      throw malformed(type, "schemaVersion: must be 2, got " + schemaVersion);
    }
    byte[] copy = raw.clone();
    try {
      Optional<Descriptor> subject = Json.optionalDescriptor(root, "subject", "");
      Optional<String> artifactType = Json.optionalString(root, "artifactType", "");
      Map<String, String> annotations = Json.stringMap(root, "annotations", "");
      if (MediaTypes.isIndex(type)) {
        List<Descriptor> manifests = Json.descriptors(root, "manifests", "");
        return new ImageIndex(type, copy, manifests, subject, artifactType, annotations);
      }
      Descriptor config = Json.requiredDescriptor(root, "config", "");
      List<Descriptor> layers = Json.descriptors(root, "layers", "");
      return new ImageManifest(type, copy, config, layers, subject, artifactType, annotations);
    } catch (Json.FieldException e) {
      throw malformed(type, e.getMessage());
    }
  }

  private static String resolveType(String declared, Optional<String> bodyType, JsonNode root) {
    if (MediaTypes.isManifest(declared)) {
      if (bodyType.isPresent() && !MediaTypes.normalize(bodyType.get()).equals(declared)) {
        throw malformed("mediaType: the manifest says \"" + bodyType.get()
            + "\" but it was served or described as \"" + declared + "\"");
      }
      return declared;
    }
    if (bodyType.isPresent()) {
      String body = MediaTypes.normalize(bodyType.get());
      if (MediaTypes.isSchema1(body)) {
        throw schema1(body);
      }
      if (!MediaTypes.isManifest(body)) {
        throw unsupported(bodyType.get());
      }
      return body;
    }
    // No media type anywhere: an OCI manifest or index without the (optional) mediaType field.
    if (root.has("fsLayers") || root.has("signatures")) {
      throw schema1("fsLayers/signatures fields");
    }
    boolean index = root.has("manifests");
    boolean image = root.has("config") || root.has("layers");
    if (index == image) {
      throw malformed("cannot tell whether this is an image manifest or an index: no mediaType,"
          + " and " + (index ? "both \"manifests\" and \"config\"/\"layers\"" : "neither \"manifests\" nor \"config\"")
          + " present");
    }
    return index ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
  }

  private static JsonNode readTree(byte[] raw) {
    try (JsonParser parser = MAPPER.createParser(raw)) {
      JsonNode node = MAPPER.readTree(parser);
      if (node == null || node.isMissingNode()) {
        throw malformed("manifest is empty");
      }
      return node;
    } catch (JsonParseException e) {
      throw new InvalidManifestException(Problem.MALFORMED, "manifest is not valid JSON: "
          + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr(), e);
    } catch (JsonProcessingException e) {
      throw new InvalidManifestException(Problem.MALFORMED,
          "manifest is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidManifestException(Problem.MALFORMED, "manifest cannot be read: " + e.getMessage(), e);
    }
  }

  private static String describe(JsonNode node) {
    return node.isArray() ? "an array" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static InvalidManifestException schema1(String what) {
    return new InvalidManifestException(Problem.SCHEMA1, "Docker image manifest v2 schema 1 (" + what
        + ") is deprecated and not supported; re-push the image with a current client"
        + " (docker, podman, buildah, skopeo or crane write schema 2 or OCI manifests)");
  }

  private static InvalidManifestException unsupported(String mediaType) {
    return new InvalidManifestException(Problem.UNSUPPORTED_MEDIA_TYPE, "unsupported manifest media type \""
        + mediaType + "\"; Holdfast understands " + MediaTypes.ACCEPT);
  }

  private static InvalidManifestException malformed(String message) {
    return new InvalidManifestException(Problem.MALFORMED, "invalid manifest: " + message);
  }

  private static InvalidManifestException malformed(String type, String message) {
    return new InvalidManifestException(Problem.MALFORMED, "invalid manifest (" + type + "): " + message);
  }

  static ObjectNode newObject() {
    return MAPPER.createObjectNode();
  }
}
