package dev.holdfast.oci.copy;

import dev.holdfast.oci.manifest.Platform;
import java.util.List;

/**
 * How to copy an image.
 *
 * @param platforms the platforms to keep from an index; empty keeps every platform (and the digest)
 * @param withReferrers also copy signatures, attestations and SBOMs: OCI referrers, the referrers
 *     tag-schema index {@code sha256-<hex>}, and cosign's {@code sha256-<hex>.sig}, {@code .att} and
 *     {@code .sbom} tags
 */
public record CopyOptions(List<Platform> platforms, boolean withReferrers) {

  public CopyOptions {
    platforms = platforms == null ? List.of() : List.copyOf(platforms);
  }

  /** Every platform, no referrers. */
  public static CopyOptions defaults() {
    return new CopyOptions(List.of(), false);
  }

  /** A copy with referrers on or off. */
  public CopyOptions withReferrers(boolean on) {
    return new CopyOptions(platforms, on);
  }

  /** A copy keeping only the given platforms (none = all). */
  public CopyOptions withPlatforms(List<Platform> kept) {
    return new CopyOptions(kept, withReferrers);
  }
}
