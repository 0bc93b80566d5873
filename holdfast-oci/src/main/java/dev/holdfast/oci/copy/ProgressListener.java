package dev.holdfast.oci.copy;

import dev.holdfast.oci.manifest.Descriptor;

/**
 * Hears what the engine is doing, from many threads at once; implementations must be thread-safe
 * and quick. Every method does nothing by default.
 */
public interface ProgressListener {

  /** How a blob reached the destination. */
  enum BlobOutcome {
    COPIED,
    SKIPPED,
    MOUNTED
  }

  /** Does nothing. */
  ProgressListener NONE = new ProgressListener() {};

  /** An image copy began. */
  default void imageStarted(CopyRequest request) {}

  /** A blob started streaming to the destination. */
  default void blobStarted(CopyRequest request, Descriptor blob) {}

  /** More bytes of a blob reached the destination ({@code bytes} since the last call). */
  default void blobProgress(CopyRequest request, Descriptor blob, long bytes) {}

  /** A blob is at the destination. */
  default void blobDone(CopyRequest request, Descriptor blob, BlobOutcome outcome) {}

  /**
   * An image copy ended. {@code result.request()} is the instance {@link #imageStarted} was given,
   * and the calls for each request come from {@link CopyEngine} in the order started, blobs, done.
   */
  default void imageDone(CopyResult result) {}
}
