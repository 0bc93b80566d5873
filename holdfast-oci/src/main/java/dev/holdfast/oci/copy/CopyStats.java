package dev.holdfast.oci.copy;

/**
 * What a copy transferred.
 *
 * @param bytes bytes sent to the destination (blobs and manifests)
 * @param blobsCopied blobs streamed from the source to the destination
 * @param blobsSkipped blobs the destination already had
 * @param blobsMounted blobs mounted from another repository of the destination registry
 * @param manifests manifests and indexes written (child manifests included, tags not)
 * @param referrers signatures, attestations and SBOMs copied (tags and referrer manifests)
 * @param blobsHashedByDestination of the blobs copied, those that the destination registry hashed
 *     and checked on upload instead of the engine ({@link BlobHashing#AUTO})
 */
public record CopyStats(long bytes, int blobsCopied, int blobsSkipped, int blobsMounted, int manifests, int referrers,
    int blobsHashedByDestination) {

  /** Nothing transferred. */
  public static final CopyStats NONE = new CopyStats(0, 0, 0, 0, 0, 0, 0);

  /** The sum of two. */
  public CopyStats plus(CopyStats other) {
    return new CopyStats(bytes + other.bytes, blobsCopied + other.blobsCopied, blobsSkipped + other.blobsSkipped,
        blobsMounted + other.blobsMounted, manifests + other.manifests, referrers + other.referrers,
        blobsHashedByDestination + other.blobsHashedByDestination);
  }
}
