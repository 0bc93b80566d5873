package dev.holdfast.oci.manifest;

import dev.holdfast.oci.reference.Digest;
import java.util.Map;
import java.util.Optional;

/**
 * An image manifest or an image index, with the exact bytes it was pulled or built with.
 *
 * <p>A manifest is pushed with exactly {@link #raw()} and {@link #mediaType()}: re-serialising
 * would change its digest.
 */
public sealed interface Manifest permits ImageManifest, ImageIndex {

  /** The largest manifest accepted, in bytes (4 MiB, the limit of common registries). */
  int MAX_SIZE = 4 * 1024 * 1024;

  /** The media type, e.g. {@link MediaTypes#OCI_MANIFEST}, without parameters. */
  String mediaType();

  /** A copy of the exact bytes of this manifest. */
  byte[] raw();

  /** The sha256 digest of {@link #raw()}. */
  Digest digest();

  /** The length of {@link #raw()}. */
  long size();

  /** The manifest this one refers to (OCI 1.1 {@code subject}), e.g. for a signature or an SBOM. */
  Optional<Descriptor> subject();

  /** The artifact type (OCI 1.1 {@code artifactType}). */
  Optional<String> artifactType();

  /** The manifest's annotations, sorted by key. */
  Map<String, String> annotations();

  /** A descriptor of this manifest: media type, digest and size. */
  default Descriptor descriptor() {
    return Descriptor.of(mediaType(), digest(), size());
  }

  /**
   * Parses a manifest.
   *
   * @param raw the exact bytes, as pulled
   * @param contentType the media type from the {@code Content-Type} header or from a descriptor;
   *     when null, empty or generic ({@code application/json}, {@code application/octet-stream},
   *     {@code text/plain}) the type is detected from the body's {@code mediaType} field and structure
   * <p>Validation is strict where a mistake would corrupt a copy (schema version, digests, sizes
   * and media types of descriptors, duplicate JSON keys, a body {@code mediaType} that contradicts
   * {@code contentType}) and lenient where producers differ in practice: a Docker manifest list
   * entry without {@code platform} is accepted, and the OCI 1.1 rule that an artifact with an empty
   * config must set {@code artifactType} is not enforced (Holdfast copies, it does not author).
   * Unknown fields are allowed and kept in {@link #raw()}.
   *
   * @throws InvalidManifestException when the manifest is too large, schema 1, of an unsupported
   *     type or malformed; the message names the offending field
   */
  static Manifest parse(byte[] raw, String contentType) {
    return ManifestParser.parse(raw, contentType);
  }
}
