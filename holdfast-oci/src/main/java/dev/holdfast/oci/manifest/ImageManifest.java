package dev.holdfast.oci.manifest;

import dev.holdfast.oci.reference.Digest;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** A single-platform image manifest (OCI image manifest or Docker v2 schema 2). */
public final class ImageManifest implements Manifest {
  private final String mediaType;
  private final byte[] raw;
  private final Digest digest;
  private final Descriptor config;
  private final List<Descriptor> layers;
  private final Optional<Descriptor> subject;
  private final Optional<String> artifactType;
  private final Map<String, String> annotations;

  ImageManifest(String mediaType, byte[] raw, Descriptor config, List<Descriptor> layers,
      Optional<Descriptor> subject, Optional<String> artifactType, Map<String, String> annotations) {
    this.mediaType = mediaType;
    this.raw = raw;
    this.digest = Digest.sha256(raw);
    this.config = config;
    this.layers = List.copyOf(layers);
    this.subject = subject;
    this.artifactType = artifactType;
    this.annotations = Collections.unmodifiableMap(new TreeMap<>(annotations));
  }

  /** Builds a manifest with canonical compact JSON from a config and layers. */
  public static ImageManifest of(String mediaType, Descriptor config, List<Descriptor> layers) {
    return builder(mediaType).config(config).layers(layers).build();
  }

  /** A builder for a new manifest of the given media type. */
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

  /** The image configuration blob. */
  public Descriptor config() {
    return config;
  }

  /** The layers, base layer first. */
  public List<Descriptor> layers() {
    return layers;
  }

  /** Equal when media type and bytes are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ImageManifest other
        && mediaType.equals(other.mediaType) && Arrays.equals(raw, other.raw);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mediaType, digest);
  }

  @Override
  public String toString() {
    return "ImageManifest[" + mediaType + ", " + digest + ", " + raw.length + " bytes, "
        + layers.size() + " layers]";
  }

  /** Builds an image manifest and serialises it as compact JSON. */
  public static final class Builder {
    private final String mediaType;
    private Descriptor config;
    private List<Descriptor> layers = List.of();
    private Descriptor subject;
    private String artifactType;
    private Map<String, String> annotations = Map.of();

    private Builder(String mediaType) {
      this.mediaType = Objects.requireNonNull(mediaType, "mediaType");
    }

    public Builder config(Descriptor config) {
      this.config = config;
      return this;
    }

    public Builder layers(List<Descriptor> layers) {
      this.layers = List.copyOf(layers);
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
     * Serialises the manifest.
     *
     * @throws IllegalArgumentException when the media type is not an image manifest type or the
     *     config is missing
     */
    public ImageManifest build() {
      if (!MediaTypes.isImageManifest(mediaType)) {
        throw new IllegalArgumentException("not an image manifest media type: " + mediaType);
      }
      if (config == null) {
        throw new IllegalArgumentException("an image manifest needs a config descriptor");
      }
      byte[] raw = ManifestWriter.imageManifest(
          mediaType, artifactType, config, layers, subject, annotations);
      return (ImageManifest) ManifestParser.parse(raw, mediaType);
    }
  }
}
