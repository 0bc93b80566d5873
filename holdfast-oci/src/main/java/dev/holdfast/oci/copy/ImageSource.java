package dev.holdfast.oci.copy;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.reference.Digest;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/** Where the engine reads an image from: a registry repository or an OCI layout. */
interface ImageSource {

  /** The location this source reads (with the tag or name the copy asked for). */
  ImageLocation location();

  /** The key the engine limits concurrency by: the registry host, or the layout directory. */
  String limitKey();

  /** The descriptor of the image's top manifest or index; empty when there is no such image. */
  Optional<Descriptor> resolve();

  /** A manifest of the image by its descriptor, checked against the digest. */
  Manifest manifest(Descriptor descriptor);

  /**
   * The image's top manifest or index, read at once; empty when there is no such image. Where the
   * manifest is needed anyway this saves a registry the {@code HEAD} of {@link #resolve}: one
   * {@code GET} by tag instead of a {@code HEAD} by tag and a {@code GET} by digest.
   */
  default Optional<Manifest> fetch() {
    return resolve().map(this::manifest);
  }

  /**
   * A blob as a stream that fails at its end unless size and digest match; with {@code hash}
   * false, unless the size matches (for a sink that checks the digest itself).
   */
  InputStream openBlob(Descriptor blob, boolean hash);

  /** The tags (or layout names) next to this image: its repository's tags. */
  List<String> siblingTags();

  /** The same repository (or layout) at another tag (or name). */
  ImageSource sibling(String tag);

  /** The manifests that refer to {@code subject} through the OCI 1.1 referrers API; empty if none or unsupported. */
  List<Descriptor> referrers(Digest subject);

  /** The repository name when this source is in {@code registry}: a destination there can mount from it. */
  default Optional<String> repositoryIn(String registry) {
    return Optional.empty();
  }
}
