package dev.holdfast.oci.workload;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Collects the container images of Kubernetes objects given as a Jackson tree: Pod, Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob and PodTemplate, and the
 * items of any {@code kind: List} (or {@code *List}). Containers, init containers and ephemeral
 * containers count. Other kinds are skipped.
 */
public final class WorkloadImages {
  private static final Set<String> TEMPLATED =
      Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job");
  private static final List<String> CONTAINER_LISTS = List.of("initContainers", "containers", "ephemeralContainers");

  private WorkloadImages() {}

  /** An image found, with where it was found ({@code Deployment/web containers[0]}). */
  public record Found(String image, String where) {}

  /** The images of one object (or of the items of a list), in document order, duplicates kept. */
  public static List<Found> collect(JsonNode object) {
    List<Found> found = new ArrayList<>();
    collect(object, found);
    return found;
  }

  private static void collect(JsonNode object, List<Found> found) {
    String kind = object.path("kind").asText("");
    String name = kind + "/" + object.path("metadata").path("name").asText("?");
    JsonNode podSpec;
    if (kind.endsWith("List") && object.path("items").isArray()) {
      object.path("items").forEach(item -> collect(item, found));
      return;
    } else if (kind.equals("Pod")) {
      podSpec = object.path("spec");
    } else if (TEMPLATED.contains(kind)) {
      podSpec = object.path("spec").path("template").path("spec");
    } else if (kind.equals("CronJob")) {
      podSpec = object.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
    } else if (kind.equals("PodTemplate")) {
      podSpec = object.path("template").path("spec");
    } else {
      return;
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
  }
}
