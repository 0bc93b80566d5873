package dev.holdfast.oci.mirror;

import dev.holdfast.oci.reference.ImageReference;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer for one reference: the normalised reference, the prefix of the rule that matched
 * (empty when none did), the candidates in the order to try, and whether the source is blocked
 * (never contacted). A blocked source with no applicable mirror has no candidates at all.
 */
public record Resolution(
    ImageReference reference, Optional<String> rule, List<Candidate> candidates, boolean blocked) {

  public Resolution {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(rule, "rule");
    candidates = List.copyOf(candidates);
  }
}
