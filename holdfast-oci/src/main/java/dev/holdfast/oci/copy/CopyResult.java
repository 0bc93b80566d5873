package dev.holdfast.oci.copy;

import dev.holdfast.oci.reference.Digest;
import java.time.Duration;
import java.util.Optional;

/** The outcome of one image copy. */
public sealed interface CopyResult permits CopyResult.Copied, CopyResult.AlreadyPresent, CopyResult.Failed {

  /** What was asked. */
  CopyRequest request();

  /** The source that served the copy (one of the request's sources); empty when none could. */
  Optional<ImageLocation> servedBy();

  /** What was transferred. */
  CopyStats stats();

  /** How long the copy took. */
  Duration elapsed();

  /** Where the copy went. */
  default ImageLocation destination() {
    return request().destination();
  }

  /**
   * The image was copied.
   *
   * @param digest the digest at the destination
   * @param sourceDigest the digest at the source; differs from {@code digest} only when
   *     {@code platformFilterChangedDigest}
   * @param platformFilterChangedDigest a platform filter dropped entries of the index, so the
   *     destination holds a new index with another digest
   */
  record Copied(CopyRequest request, ImageLocation source, Digest digest, Digest sourceDigest,
      boolean platformFilterChangedDigest, CopyStats stats, Duration elapsed) implements CopyResult {
    @Override
    public Optional<ImageLocation> servedBy() {
      return Optional.of(source);
    }
  }

  /** The destination already held the image under its tag; only referrers, if asked, were copied. */
  record AlreadyPresent(CopyRequest request, ImageLocation source, Digest digest, CopyStats stats, Duration elapsed)
      implements CopyResult {
    @Override
    public Optional<ImageLocation> servedBy() {
      return Optional.of(source);
    }
  }

  /**
   * The copy failed; the destination tag was not changed.
   *
   * @param cause the typed cause: a {@code RegistryException}, an {@code OciLayoutException}, a
   *     {@link CopyException}, or an {@code InvalidManifestException}
   */
  record Failed(CopyRequest request, Optional<ImageLocation> servedBy, RuntimeException cause, CopyStats stats,
      Duration elapsed) implements CopyResult {}
}
