package dev.holdfast.cli.relocate;

import dev.holdfast.oci.reference.ImageReference;

/** How a rewritten image names its copy; the operator's {@code referenceForm} has the same two. */
public enum ReferenceForm {
  /** {@code registry/repository:tag@sha256:...}: readable, and pulled by digest. */
  TagAndDigest,
  /** {@code registry/repository@sha256:...}. */
  Digest;

  /**
   * The text for {@code copy} (which has a digest) in place of {@code source}. A source without a
   * tag (pinned by digest only) gets the digest form either way: its copy's tag, {@code
   * digest-sha256-...}, says nothing the digest does not.
   */
  public String render(ImageReference copy, ImageReference source) {
    if (this == TagAndDigest && source.tag().isPresent() && copy.tag().isPresent()) {
      return copy.toString();
    }
    return copy.withoutTag().toString();
  }
}
