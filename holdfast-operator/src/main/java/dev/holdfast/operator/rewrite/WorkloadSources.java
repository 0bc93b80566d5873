package dev.holdfast.operator.rewrite;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import dev.holdfast.operator.policy.ImagePatterns;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.workload.ImageField;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The source image behind each image field of a workload.
 *
 * <p>A field that names an image under the policy's destination is a copy when the workload's
 * {@link OriginalImages} annotation records what it held before: its source is that original. Without
 * one, it is something the team keeps at the destination itself, and is left alone. Any other field
 * is its own source. The policy's image patterns then leave some sources out.
 *
 * @param sources the fields to protect, with their sources
 * @param invalid fields whose image (or recorded original) is not a valid reference
 * @param leftAlone fields left as they are: at the destination without an original, or not selected
 *     by the policy's patterns
 * @param kept the recorded originals of fields left alone that still name their copy (the policy's
 *     patterns no longer select them): a rewrite keeps them, so that restore can still put them back
 */
public record WorkloadSources(List<Source> sources, List<Invalid> invalid, List<ImageField> leftAlone,
    Map<String, String> kept) {

  /**
   * A field and its source.
   *
   * @param original the source as it was written (what restore puts back)
   * @param reference the source, normalised
   */
  public record Source(ImageField field, String original, ImageReference reference) {}

  /** A field whose reference does not parse, and why. */
  public record Invalid(ImageField field, String image, String problem) {
    @Override
    public String toString() {
      return field.key() + ": \"" + image + "\": " + problem;
    }
  }

  /** The sources of {@code fields} under {@code policy}, given the recorded originals. */
  public static WorkloadSources of(List<ImageField> fields, Map<String, String> originals, Policy policy) {
    return of(fields, originals, Map.of(), policy);
  }

  /**
   * The sources of {@code fields} under {@code policy}, given the recorded originals and the copies
   * the operator set ({@code holdfast.dev/copy-images}). A field under the destination has its
   * recorded original as source only while it names the recorded copy (when one is recorded): a
   * field someone pointed at another image under the destination is theirs, and left alone.
   */
  public static WorkloadSources of(List<ImageField> fields, Map<String, String> originals,
      Map<String, String> copies, Policy policy) {
    ImagePatterns patterns = ImagePatterns.of(policy.spec().includeImages(), policy.spec().excludeImages());
    List<Source> sources = new ArrayList<>();
    List<Invalid> invalid = new ArrayList<>();
    List<ImageField> leftAlone = new ArrayList<>();
    Map<String, String> kept = new java.util.TreeMap<>();
    for (ImageField field : fields) {
      ImageReference current;
      try {
        current = ImageReference.parse(field.image());
      } catch (InvalidReferenceException e) {
        invalid.add(new Invalid(field, field.image(), e.problem()));
        continue;
      }
      String written = field.image();
      ImageReference source = current;
      if (policy.isUnderDestination(current)) {
        String original = originals.get(field.key());
        String recordedCopy = copies.get(field.key());
        if (original == null || (recordedCopy != null && !recordedCopy.equals(field.image()))) {
          leftAlone.add(field);
          continue;
        }
        try {
          source = ImageReference.parse(original);
          written = original;
        } catch (InvalidReferenceException e) {
          invalid.add(new Invalid(field, original, e.problem()));
          continue;
        }
      }
      if (patterns.selects(source)) {
        sources.add(new Source(field, written, source));
      } else {
        leftAlone.add(field);
        if (!written.equals(field.image())) {
          kept.put(field.key(), written);
        }
      }
    }
    return new WorkloadSources(List.copyOf(sources), List.copyOf(invalid), List.copyOf(leftAlone), Map.copyOf(kept));
  }

  /** The distinct source references, in field order. */
  public List<ImageReference> references() {
    return sources.stream().map(Source::reference).distinct().toList();
  }
}
