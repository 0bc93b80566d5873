package dev.holdfast.oci.mirror;

import dev.holdfast.oci.reference.ImageReference;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A place to pull an image from, in the order to try: the full rewritten reference, whether it is a
 * mirror (false for the source itself), whether TLS verification is skipped there, and an optional
 * CA bundle to trust for it.
 */
public record Candidate(
    ImageReference reference, boolean mirror, boolean insecure, Optional<Path> caBundle) {

  public Candidate {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(caBundle, "caBundle");
  }
}
