package dev.holdfast.cli.relocate;

import dev.holdfast.oci.reference.ImageReference;

/** Where the copies of source images are: at a destination registry, or in a sync result. */
public interface Copies {

  /** What a lookup found for one source. */
  sealed interface Lookup permits Found, Missing {}

  /** The copy, with its tag when it has one, and always its digest. */
  record Found(ImageReference copy) implements Lookup {
    public Found {
      if (copy.digest().isEmpty()) {
        throw new IllegalArgumentException("a copy is pinned by digest: " + copy);
      }
    }
  }

  /** No copy, and why ({@code not found at REGISTRY/REPOSITORY:TAG}). */
  record Missing(String reason) implements Lookup {}

  /**
   * Whether {@code image} already names a copy (it is under the destination): such an image is
   * left as it is, which makes a second run change nothing.
   */
  boolean isCopy(ImageReference image);

  /** The copy of {@code source}. Called once per distinct source. */
  Lookup find(ImageReference source);
}
