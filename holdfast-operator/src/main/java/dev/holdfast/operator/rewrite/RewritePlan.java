package dev.holdfast.operator.rewrite;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.operator.api.ImagePolicySpec.ReferenceForm;
import dev.holdfast.operator.workload.ImageField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a workload's Pod spec must become, given its sources and the verified copies: nothing, a
 * wait for copies that are not verified yet, or a rewrite. A workload is rewritten only when every
 * one of its sources has a verified copy, so it is never pointed at an unverified copy, and it rolls
 * out once.
 */
public sealed interface RewritePlan {

  /** The Pod spec already names every copy (and the pull secret). */
  record UpToDate() implements RewritePlan {}

  /** Some sources have no verified copy yet; nothing changes until they do. */
  record Waiting(List<ImageReference> unverified) implements RewritePlan {}

  /**
   * Change these fields, record these originals, and append the pull secret when present.
   *
   * @param originals the complete annotation value after the rewrite
   */
  record Rewrite(List<Change> changes, Map<String, String> originals, Optional<String> addPullSecret)
      implements RewritePlan {}

  /** One field and the image it gets. */
  record Change(ImageField field, String image) {}

  /**
   * Plans the rewrite of one Pod spec.
   *
   * @param sources the spec's sources ({@link WorkloadSources#sources()})
   * @param verifiedCopy the verified copy of a source, by digest ({@code reg/repo:tag@sha256:...}),
   *     or empty when there is none yet
   * @param form how the rewritten image names the copy
   * @param pullSecret the pull secret the copies need, if any
   * @param pullSecrets the names the spec's {@code imagePullSecrets} already lists
   */
  static RewritePlan of(List<WorkloadSources.Source> sources,
      Function<ImageReference, Optional<ImageReference>> verifiedCopy, ReferenceForm form,
      Optional<String> pullSecret, List<String> pullSecrets) {
    if (sources.isEmpty()) {
      return new UpToDate();
    }
    List<ImageReference> unverified = new ArrayList<>();
    List<Change> changes = new ArrayList<>();
    Map<String, String> originals = new LinkedHashMap<>();
    for (WorkloadSources.Source source : sources) {
      Optional<ImageReference> copy = verifiedCopy.apply(source.reference());
      if (copy.isEmpty()) {
        if (!unverified.contains(source.reference())) {
          unverified.add(source.reference());
        }
        continue;
      }
      String image = render(copy.get(), source.reference(), form);
      originals.put(source.field().key(), source.original());
      if (!image.equals(source.field().image())) {
        changes.add(new Change(source.field(), image));
      }
    }
    if (!unverified.isEmpty()) {
      return new Waiting(List.copyOf(unverified));
    }
    Optional<String> addPullSecret = pullSecret.filter(name -> !pullSecrets.contains(name));
    if (changes.isEmpty() && addPullSecret.isEmpty()) {
      return new UpToDate();
    }
    return new Rewrite(List.copyOf(changes), Map.copyOf(originals), addPullSecret);
  }

  /**
   * The image string for a copy: {@code reg/repo:tag@sha256:...} with {@link ReferenceForm#TagAndDigest}
   * when the source has a tag, else {@code reg/repo@sha256:...}.
   */
  static String render(ImageReference copy, ImageReference source, ReferenceForm form) {
    ImageReference byDigest = copy.withoutTag();
    if (form == ReferenceForm.TagAndDigest && source.tag().isPresent() && copy.tag().isPresent()) {
      return copy.toString();
    }
    return byDigest.toString();
  }
}
