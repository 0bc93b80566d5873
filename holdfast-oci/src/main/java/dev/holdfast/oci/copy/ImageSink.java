package dev.holdfast.oci.copy;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.reference.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.function.Supplier;

/** Where the engine writes an image: a registry repository or an OCI layout. */
interface ImageSink {

  /** The location this sink writes (with the tag or name the copy goes under). */
  ImageLocation location();

  /** The key the engine limits concurrency by: the registry host, or the layout directory. */
  String limitKey();

  /** The key under which blobs are shared: the repository, or the whole layout. */
  String blobScope();

  /** The registry host, when this sink is a registry repository (blobs can be mounted there). */
  default Optional<String> registry() {
    return Optional.empty();
  }

  /** The repository name, when this sink is a registry repository. */
  default Optional<String> repository() {
    return Optional.empty();
  }

  /** What the destination tag (or name) points at now; empty when nothing (or no tag). */
  Optional<Descriptor> current();

  /** Whether the blob is already there. */
  boolean hasBlob(Descriptor blob);

  /** Mounts a blob from another repository of the same registry; false when not possible. */
  default boolean mountBlob(Descriptor blob, String fromRepository) {
    return false;
  }

  /**
   * Whether the sink itself refuses a blob whose content does not match its digest (a registry
   * that checks uploads): then the streams it is given need not be hashed.
   */
  default boolean checksDigests() {
    return false;
  }

  /** Writes a blob from a stream (verified by the sink or by the stream). */
  void putBlob(Descriptor blob, InputStream content);

  /**
   * Writes a blob unless the sink has it; false when it has it. {@code content} is opened only
   * when the blob is written. A registry finds out and opens the upload in one request.
   */
  default boolean putBlobUnlessPresent(Descriptor blob, Supplier<InputStream> content) throws IOException {
    if (hasBlob(blob)) {
      return false;
    }
    try (InputStream in = content.get()) {
      putBlob(blob, in);
    }
    return true;
  }

  /** Whether a manifest with this digest is already there (then so is everything it refers to). */
  boolean hasManifest(Digest digest);

  /** Stores a manifest by its digest, with its exact bytes. */
  void putManifest(Manifest manifest);

  /** Points the destination tag (or name) at a stored manifest; nothing to do without a tag. */
  void tag(Manifest manifest);

  /**
   * Stores the top manifest of a copy and then points the tag at it: the last step of a copy. A
   * registry does both with one PUT to the tag.
   */
  default void putAndTag(Manifest manifest) {
    putManifest(manifest);
    tag(manifest);
  }

  /** The same repository (or layout) under another tag (or name). */
  ImageSink sibling(String tag);
}
