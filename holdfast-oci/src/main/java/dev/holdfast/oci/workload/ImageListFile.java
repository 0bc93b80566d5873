package dev.holdfast.oci.workload;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.holdfast.oci.FileErrors;
import dev.holdfast.oci.ParseErrors;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the images to copy from a YAML file, in one of three forms:
 *
 * <ul>
 *   <li>a sequence of image references: {@code [nginx:1.27, ghcr.io/org/app@sha256:...]};
 *   <li>a mapping with an {@code images} sequence: {@code images: [nginx:1.27]};
 *   <li>Kubernetes manifests, one or several documents, including {@code kind: List}: the images
 *       of every workload's containers, init containers, ephemeral containers and image volumes
 *       (see {@link WorkloadImages}).
 * </ul>
 *
 * <p>The result is normalised ({@code nginx} is {@code docker.io/library/nginx:latest}) and
 * without duplicates, in order of first appearance.
 */
public final class ImageListFile {
  private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory());

  private ImageListFile() {}

  /**
   * Reads a file.
   *
   * @throws IllegalArgumentException naming the file and the entry when it cannot be understood
   * @throws UncheckedIOException when it cannot be read
   */
  public static List<ImageReference> read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read image list " + file + ": " + FileErrors.reason(e), e);
    }
  }

  /** Parses YAML text; {@code origin} names it in error messages. */
  public static List<ImageReference> parse(String yaml, String origin) {
    List<JsonNode> documents = documents(yaml, origin);
    Set<ImageReference> images = new LinkedHashSet<>();
    int number = 0;
    for (JsonNode document : documents) {
      number++;
      String where = origin + (documents.size() > 1 ? " (document " + number + ")" : "");
      if (document == null || document.isNull() || document.isMissingNode()) {
        continue;
      }
      if (document.isArray()) {
        addAll(images, document, where);
      } else if (document.isObject() && document.has("images") && !document.has("kind")) {
        JsonNode list = document.get("images");
        if (!list.isArray()) {
          throw new IllegalArgumentException(where + ": \"images\" must be a list of image references");
        }
        addAll(images, list, where + " images");
      } else if (document.isObject() && document.has("kind")) {
        List<WorkloadImages.Found> workloadImages;
        try {
          workloadImages = WorkloadImages.collect(document);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + " " + e.getMessage(), e);
        }
        for (WorkloadImages.Found found : workloadImages) {
          images.add(parseImage(found.image(), where + " " + found.where()));
        }
      } else {
        throw new IllegalArgumentException(where + ": neither a list of images, an \"images:\" list,"
            + " nor a Kubernetes object with a \"kind\"");
      }
    }
    return List.copyOf(images);
  }

  private static void addAll(Set<ImageReference> images, JsonNode list, String where) {
    int i = 0;
    for (JsonNode entry : list) {
      String at = where + "[" + i++ + "]";
      if (!entry.isTextual()) {
        throw new IllegalArgumentException(at + ": expected an image reference string, got " + entry.getNodeType());
      }
      images.add(parseImage(entry.asText(), at));
    }
  }

  private static ImageReference parseImage(String text, String where) {
    try {
      return ImageReference.parse(text.strip());
    } catch (InvalidReferenceException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static List<JsonNode> documents(String yaml, String origin) {
    List<JsonNode> documents = new ArrayList<>();
    try (JsonParser parser = YAML.getFactory().createParser(yaml);
        MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class)) {
      while (it.hasNextValue()) {
        documents.add(it.nextValue());
      }
    } catch (JacksonException e) {
      throw new IllegalArgumentException(origin + ": not valid YAML" + ParseErrors.location(e) + ": "
          + ParseErrors.reason(e), e);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(origin + ": not valid YAML: " + e.getMessage(), e);
    }
    return documents;
  }
}
