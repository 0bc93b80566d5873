package dev.holdfast.oci.manifest;

import dev.holdfast.oci.reference.Digest;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** A multi-platform image index (OCI image index or Docker manifest list). */
public final class ImageIndex implements Manifest {
  private final String mediaType;
  private final byte[] raw;
  private final Digest digest;
  private final List<Descriptor> manifests;
  private final Optional<Descriptor> subject;
  private final Optional<String> artifactType;
  private final Map<String, String> annotations;

  ImageIndex(String mediaType, byte[] raw, List<Descriptor> manifests,
      Optional<Descriptor> subject, Optional<String> artifactType, Map<String, String> annotations) {
    this.mediaType = mediaType;
    this.raw = raw;
    this.digest = Digest.sha256(raw);
    this.manifests = List.copyOf(manifests);
    this.subject = subject;
    this.artifactType = artifactType;
    this.annotations = Collections.unmodifiableMap(new TreeMap<>(annotations));
  }

  /** Builds an index with canonical compact JSON from manifest descriptors. */
  public static ImageIndex of(String mediaType, List<Descriptor> manifests) {
    return builder(mediaType).manifests(manifests).build();
  }

  /** A builder for a new index of the given media type. */
  public static Builder builder(String mediaType) {
    return new Builder(mediaType);
  }

  @Override
  public String mediaType() {
    return mediaType;
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  @Override
  public Digest digest() {
    return digest;
  }

  @Override
  public long size() {
    return raw.length;
  }

  @Override
  public Optional<Descriptor> subject() {
    return subject;
  }

  @Override
  public Optional<String> artifactType() {
    return artifactType;
  }

  @Override
  public Map<String, String> annotations() {
    return annotations;
  }

  /** The entries of this index, in order. */
  public List<Descriptor> manifests() {
    return manifests;
  }

  /** The entries whose platform satisfies {@code filter} (see {@link Platform#matches}), in order. */
  public List<Descriptor> manifestsFor(Platform filter) {
    return manifests.stream()
        .filter(d -> d.platform().map(filter::matches).orElse(false))
        .toList();
  }

  /**
   * A new index with the same media type, subject, artifact type and annotations but other entries,
   * serialised as canonical compact JSON (so its digest differs from this one's).
   */
  public ImageIndex withManifests(List<Descriptor> manifests) {
    return builder(mediaType)
        .manifests(manifests)
        .subject(subject.orElse(null))
        .artifactType(artifactType.orElse(null))
        .annotations(annotations)
        .build();
  }

  /** Equal when media type and bytes are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ImageIndex other
        && mediaType.equals(other.mediaType) && Arrays.equals(raw, other.raw);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mediaType, digest);
  }

  @Override
  public String toString() {
    return "ImageIndex[" + mediaType + ", " + digest + ", " + raw.length + " bytes, "
        + manifests.size() + " manifests]";
  }

  /** Builds an image index and serialises it as compact JSON. */
  public static final class Builder {
    private final String mediaType;
    private List<Descriptor> manifests = List.of();
    private Descriptor subject;
    private String artifactType;
    private Map<String, String> annotations = Map.of();

    private Builder(String mediaType) {
      this.mediaType = Objects.requireNonNull(mediaType, "mediaType");
    }

    public Builder manifests(List<Descriptor> manifests) {
      this.manifests = List.copyOf(manifests);
      return this;
    }

    public Builder subject(Descriptor subject) {
      this.subject = subject;
      return this;
    }

    public Builder artifactType(String artifactType) {
      this.artifactType = artifactType;
      return this;
    }

    public Builder annotations(Map<String, String> annotations) {
      this.annotations = Collections.unmodifiableMap(new TreeMap<>(annotations));
      return this;
    }

    /**
     * Serialises the index.
     *
     * @throws IllegalArgumentException when the media type is not an index type
     */
    public ImageIndex build() {
      if (!MediaTypes.isIndex(mediaType)) {
        throw new IllegalArgumentException("not an image index media type: " + mediaType);
      }
      byte[] raw = ManifestWriter.imageIndex(mediaType, artifactType, manifests, subject, annotations);
      return (ImageIndex) ManifestParser.parse(raw, mediaType);
    }
  }
}
