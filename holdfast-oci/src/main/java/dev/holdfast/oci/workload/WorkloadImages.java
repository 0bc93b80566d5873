package dev.holdfast.oci.workload;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Collects the container images of Kubernetes objects given as a Jackson tree: Pod, Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob and PodTemplate, and the
 * items of any {@code kind: List} (or {@code *List}). Containers, init containers, ephemeral
 * containers and image volumes ({@code volumes[].image.reference}) count. Other kinds are skipped.
 */
public final class WorkloadImages {
  private static final Set<String> TEMPLATED =
      Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job");

  /** The Pod spec's lists of containers, each with an {@code image}, in the order they are read. */
  public static final List<String> CONTAINER_LISTS = List.of("initContainers", "containers", "ephemeralContainers");

  private WorkloadImages() {}

  /** An image found, with where it was found ({@code Deployment/web containers[0]}). */
  public record Found(String image, String where) {}

  /**
   * Where an object of {@code kind} holds its Pod spec, as the keys leading to it from the object
   * ({@code [spec, template, spec]} for a Deployment); empty for a kind that has none.
   */
  public static Optional<List<String>> podSpecPath(String kind) {
    if (kind.equals("Pod")) {
      return Optional.of(List.of("spec"));
    } else if (TEMPLATED.contains(kind)) {
      return Optional.of(List.of("spec", "template", "spec"));
    } else if (kind.equals("CronJob")) {
      return Optional.of(List.of("spec", "jobTemplate", "spec", "template", "spec"));
    } else if (kind.equals("PodTemplate")) {
      return Optional.of(List.of("template", "spec"));
    }
    return Optional.empty();
  }

  /** The images of one object (or of the items of a list), in document order, duplicates kept. */
  public static List<Found> collect(JsonNode object) {
    List<Found> found = new ArrayList<>();
    collect(object, found);
    return found;
  }

  private static void collect(JsonNode object, List<Found> found) {
    String kind = object.path("kind").asText("");
    String name = kind + "/" + object.path("metadata").path("name").asText("?");
    if (kind.endsWith("List") && object.path("items").isArray()) {
      object.path("items").forEach(item -> collect(item, found));
      return;
    }
    Optional<List<String>> path = podSpecPath(kind);
    if (path.isEmpty()) {
      return;
    }
    JsonNode podSpec = object;
    for (String key : path.get()) {
      podSpec = podSpec.path(key);
    }
    for (String list : CONTAINER_LISTS) {
      int i = 0;
      for (JsonNode container : podSpec.path(list)) {
        String where = name + " " + list + "[" + i++ + "]";
        JsonNode image = container.path("image");
        if (image.isTextual() && !image.asText().isBlank()) {
          found.add(new Found(image.asText(), where));
        } else if (!image.isMissingNode()) {
          throw new IllegalArgumentException(where + ": \"image\" must be a non-empty string");
        }
      }
    }
    int i = 0;
    for (JsonNode volume : podSpec.path("volumes")) {
      String where = name + " volumes[" + i++ + "]";
      JsonNode reference = volume.path("image").path("reference");
      if (reference.isTextual() && !reference.asText().isBlank()) {
        found.add(new Found(reference.asText(), where));
      } else if (!reference.isMissingNode()) {
        throw new IllegalArgumentException(where + ": \"image.reference\" must be a non-empty string");
      }
    }
  }
}
