package dev.holdfast.operator.rewrite;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.operator.workload.ImageField;
import dev.holdfast.operator.workload.PodSpecImages;
import dev.holdfast.operator.workload.WorkloadKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * JSON patches (RFC 6902) that point a workload's Pod spec at its copies, and back.
 *
 * <p>Each changed image is guarded by a {@code test} of its current value, so a patch computed from
 * a stale read fails instead of overwriting someone else's edit. The originals go into the
 * workload's annotations and its Pod template's (so its Pods carry them too); a pull secret is
 * appended to {@code imagePullSecrets}, never replacing the list.
 */
public final class TemplatePatch {
  /**
   * What each rewritten field was set to, keyed as {@link OriginalImages}: restore puts back only the
   * fields that still name these copies, and leaves a field someone changed since alone.
   */
  public static final String COPIES_ANNOTATION = "holdfast.dev/copy-images";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private TemplatePatch() {}

  /** The patch that applies {@code rewrite} to {@code object}. */
  public static String rewrite(WorkloadKind kind, HasMetadata object, RewritePlan.Rewrite rewrite) {
    ArrayNode ops = NODES.arrayNode();
    String spec = kind.podSpecPointer();
    for (RewritePlan.Change change : rewrite.changes()) {
      ops.add(op("test", spec + change.field().pointer(), NODES.textNode(change.field().image())));
      ops.add(op("replace", spec + change.field().pointer(), NODES.textNode(change.image())));
    }
    String originals = OriginalImages.write(rewrite.originals());
    Map<String, String> copies = new TreeMap<>();
    PodSpecImages.of(kind.podSpec(object)).stream().filter(f -> rewrite.originals().containsKey(f.key()))
        .forEach(f -> copies.put(f.key(), f.image()));
    rewrite.changes().forEach(c -> copies.put(c.field().key(), c.image()));
    Map<String, String> annotations = new TreeMap<>(Map.of(OriginalImages.ANNOTATION, originals,
        COPIES_ANNOTATION, OriginalImages.write(copies)));
    rewrite.addPullSecret().ifPresent(name -> {
      PodSpec podSpec = kind.podSpec(object);
      ObjectNode entry = NODES.objectNode().put("name", name);
      if (podSpec.getImagePullSecrets() == null || podSpec.getImagePullSecrets().isEmpty()) {
        ops.add(op("add", spec + "/imagePullSecrets", NODES.arrayNode().add(entry)));
      } else {
        ops.add(op("add", spec + "/imagePullSecrets/-", entry));
      }
      annotations.put(OriginalImages.PULL_SECRET_ANNOTATION, name);
    });
    setAnnotations(ops, "/metadata", object.getMetadata(), annotations);
    kind.templateMetadataPointer().ifPresent(pointer -> setAnnotations(ops, pointer, kind.templateMetadata(object),
        Map.of(OriginalImages.ANNOTATION, originals)));
    return ops.toString();
  }

  /**
   * The patch that changes only these image fields, each guarded by a test of its value: for an
   * update where nothing else may change (a Pod's ephemeral containers).
   */
  public static String imagesOnly(WorkloadKind kind, List<RewritePlan.Change> changes) {
    ArrayNode ops = NODES.arrayNode();
    for (RewritePlan.Change change : changes) {
      ops.add(op("test", kind.podSpecPointer() + change.field().pointer(), NODES.textNode(change.field().image())));
      ops.add(op("replace", kind.podSpecPointer() + change.field().pointer(), NODES.textNode(change.image())));
    }
    return ops.toString();
  }

  /**
   * The patch that puts back the images recorded in the originals annotation, removes the
   * annotations, and removes the pull secret the operator appended; empty when the object records no
   * originals. A field whose image is no longer the copy the operator set (someone changed it since)
   * keeps its value.
   */
  public static Optional<String> restore(WorkloadKind kind, HasMetadata object) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    Map<String, String> originals = OriginalImages.read(annotations);
    if (originals.isEmpty() && (annotations == null || !annotations.containsKey(OriginalImages.ANNOTATION))) {
      return Optional.empty();
    }
    ArrayNode ops = NODES.arrayNode();
    String spec = kind.podSpecPointer();
    PodSpec podSpec = kind.podSpec(object);
    Map<String, String> copies = OriginalImages.parse(annotations.get(COPIES_ANNOTATION));
    for (ImageField field : PodSpecImages.of(podSpec)) {
      String original = originals.get(field.key());
      if (original != null && field.image().equals(copies.get(field.key()))) {
        ops.add(op("test", spec + field.pointer(), NODES.textNode(field.image())));
        ops.add(op("replace", spec + field.pointer(), NODES.textNode(original)));
      }
    }
    String added = annotations.get(OriginalImages.PULL_SECRET_ANNOTATION);
    List<LocalObjectReference> secrets = podSpec == null || podSpec.getImagePullSecrets() == null ? List.of()
        : podSpec.getImagePullSecrets();
    for (int i = 0; added != null && i < secrets.size(); i++) {
      if (added.equals(secrets.get(i).getName())) {
        ops.add(op("test", spec + "/imagePullSecrets/" + i + "/name", NODES.textNode(added)));
        ops.add(NODES.objectNode().put("op", "remove").put("path", spec + "/imagePullSecrets/" + i));
        break;
      }
    }
    removeAnnotation(ops, "/metadata", object.getMetadata(), OriginalImages.ANNOTATION);
    removeAnnotation(ops, "/metadata", object.getMetadata(), OriginalImages.PULL_SECRET_ANNOTATION);
    removeAnnotation(ops, "/metadata", object.getMetadata(), COPIES_ANNOTATION);
    kind.templateMetadataPointer().ifPresent(pointer ->
        removeAnnotation(ops, pointer, kind.templateMetadata(object), OriginalImages.ANNOTATION));
    return Optional.of(ops.toString());
  }

  // An empty annotation map is absent from the object's JSON (the model has one anyway): add the map.
  private static void setAnnotations(ArrayNode ops, String metadataPointer, ObjectMeta metadata,
      Map<String, String> added) {
    ObjectNode map = NODES.objectNode();
    added.forEach(map::put);
    if (metadata == null) {
      ops.add(op("add", metadataPointer, NODES.objectNode().set("annotations", map)));
    } else if (metadata.getAnnotations() == null || metadata.getAnnotations().isEmpty()) {
      ops.add(op("add", metadataPointer + "/annotations", map));
    } else {
      added.forEach((key, value) ->
          ops.add(op("add", metadataPointer + "/annotations/" + escape(key), NODES.textNode(value))));
    }
  }

  private static void removeAnnotation(ArrayNode ops, String metadataPointer, ObjectMeta metadata, String key) {
    if (metadata != null && metadata.getAnnotations() != null && metadata.getAnnotations().containsKey(key)) {
      ops.add(NODES.objectNode().put("op", "remove").put("path", metadataPointer + "/annotations/" + escape(key)));
    }
  }

  private static ObjectNode op(String op, String path, com.fasterxml.jackson.databind.JsonNode value) {
    ObjectNode node = NODES.objectNode().put("op", op).put("path", path);
    node.set("value", value);
    return node;
  }

  /** RFC 6901: {@code ~} is {@code ~0}, {@code /} is {@code ~1}. */
  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
