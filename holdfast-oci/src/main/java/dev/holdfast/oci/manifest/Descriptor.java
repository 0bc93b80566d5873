package dev.holdfast.oci.manifest;

import dev.holdfast.oci.reference.Digest;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A content descriptor: what a manifest says about a blob or another manifest.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md">OCI descriptor</a>
 * @param mediaType media type of the referenced content
 * @param digest digest of the referenced content
 * @param size size of the referenced content in bytes
 * @param platform platform of the referenced manifest (index entries only)
 * @param annotations annotations, sorted by key
 * @param artifactType artifact type of the referenced manifest (OCI 1.1)
 * @param urls URLs the content may be downloaded from (foreign / non-distributable layers)
 */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    Optional<Platform> platform,
    Map<String, String> annotations,
    Optional<String> artifactType,
    List<String> urls) {

  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("descriptor size must not be negative: " + size);
    }
    platform = Objects.requireNonNullElse(platform, Optional.empty());
    annotations = annotations == null || annotations.isEmpty()
        ? Map.of()
        : Collections.unmodifiableMap(new TreeMap<>(annotations));
    artifactType = Objects.requireNonNullElse(artifactType, Optional.empty());
    urls = urls == null ? List.of() : List.copyOf(urls);
  }

  /** A descriptor with just a media type, a digest and a size. */
  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, Optional.empty(), Map.of(), Optional.empty(), List.of());
  }

  /** A copy with the given platform. */
  public Descriptor withPlatform(Platform platform) {
    return new Descriptor(mediaType, digest, size, Optional.ofNullable(platform), annotations, artifactType, urls);
  }

  /** A copy with the given annotations (replacing the existing ones). */
  public Descriptor withAnnotations(Map<String, String> annotations) {
    return new Descriptor(mediaType, digest, size, platform, annotations, artifactType, urls);
  }

  /** A copy with the given artifact type (nullable). */
  public Descriptor withArtifactType(String artifactType) {
    return new Descriptor(mediaType, digest, size, platform, annotations, Optional.ofNullable(artifactType), urls);
  }

  /** A copy with the given URLs. */
  public Descriptor withUrls(List<String> urls) {
    return new Descriptor(mediaType, digest, size, platform, annotations, artifactType, urls);
  }
}
