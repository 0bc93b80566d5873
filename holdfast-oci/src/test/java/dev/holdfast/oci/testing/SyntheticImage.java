package dev.holdfast.oci.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A deterministic synthetic container image (single- or multi-arch, OCI or Docker media types)
 * that is written into an OCI image layout; the same settings always give the same digests.
 *
 * <pre>{@code
 * WrittenImage image = SyntheticImage.builder().seed(7).layers(2).layerSize(64 * 1024)
 *     .platforms("linux/amd64", "linux/arm64").build().writeTo(layoutDir, "app");
 * }</pre>
 *
 * <p>Each layer is a tar with one file of pseudo-random (incompressible) bytes, generated and
 * hashed while it streams to disk, so a 1 GiB layer needs no 1 GiB of heap. Base layers depend
 * only on {@code baseSeed} (not on the seed, tag or platform), so images built with the same base
 * settings share them.
 */
public final class SyntheticImage {

  /** The media type family of manifests, indexes, configs and layers. */
  public enum Format {
    /** {@code application/vnd.oci.image.*}. */
    OCI(
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.config.v1+json",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar"),
    /** Docker image manifest v2 schema 2 and manifest list. */
    DOCKER(
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.container.image.v1+json",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.diff.tar");

    final String manifest;
    final String index;
    final String config;
    final String gzipLayer;
    final String tarLayer;

    Format(String manifest, String index, String config, String gzipLayer, String tarLayer) {
      this.manifest = manifest;
      this.index = index;
      this.config = config;
      this.gzipLayer = gzipLayer;
      this.tarLayer = tarLayer;
    }

    /** The media type of an image manifest. */
    public String manifestMediaType() {
      return manifest;
    }

    /** The media type of an index / manifest list. */
    public String indexMediaType() {
      return index;
    }
  }

  /** How layers are stored. Random bytes never compress, so the cheap modes lose nothing. */
  public enum Compression {
    /** gzip, deflate level 1. */
    GZIP,
    /** gzip with stored (level 0) deflate blocks: valid gzip at copy speed; the default. */
    GZIP_STORED,
    /** Plain tar; skopeo keeps it only with {@code --preserve-digests} (the harness passes it). */
    NONE
  }

  final long seed;
  final int layers;
  final long layerSize;
  final long baseSeed;
  final int baseLayers;
  final long baseLayerSize;
  final List<String> platforms;
  final Format format;
  final Compression compression;

  private SyntheticImage(Builder b) {
    this.seed = b.seed;
    this.layers = b.layers;
    this.layerSize = b.layerSize;
    this.baseSeed = b.baseSeed;
    this.baseLayers = b.baseLayers;
    this.baseLayerSize = b.baseLayerSize;
    this.platforms = List.copyOf(b.platforms);
    this.format = b.format;
    this.compression = b.compression;
  }

  /** A builder with defaults: seed 0, one 64 KiB layer, no base layer, single arch, OCI. */
  public static Builder builder() {
    return new Builder();
  }

  /** True when {@link #writeTo} writes an index / manifest list. */
  public boolean isMultiArch() {
    return platforms.size() > 1;
  }

  /**
   * Writes the image into the OCI layout {@code layout} (created or extended; an entry with the
   * same ref name is replaced) and returns what was written.
   */
  public WrittenImage writeTo(Path layout, String tag) {
    Objects.requireNonNull(tag, "tag");
    if (tag.isEmpty() || tag.contains("/")) {
      throw new IllegalArgumentException("invalid ref name '" + tag + "' for layout " + layout);
    }
    try {
      OciLayoutWriter writer = new OciLayoutWriter(layout);
      List<WrittenImage.PlatformManifest> manifests = new ArrayList<>();
      for (int p = 0; p < platforms.size(); p++) {
        manifests.add(writeManifest(writer, tag, platforms.get(p), p));
      }
      Descriptor top;
      if (isMultiArch()) {
        List<Object> entries = new ArrayList<>();
        for (WrittenImage.PlatformManifest m : manifests) {
          Map<String, Object> entry = descriptorJson(m.manifest());
          entry.put("platform", platformJson(m.platform()));
          entries.add(entry);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", format.index);
        index.put("manifests", entries);
        top = writer.putJson(index, format.index);
      } else {
        top = manifests.get(0).manifest();
      }
      writer.tag(tag, top);
      var dirCopy =
          format == Format.DOCKER
              ? java.util.Optional.of(writer.writeDirCopy(tag, top, manifests))
              : java.util.Optional.<Path>empty();
      return new WrittenImage(layout, tag, format, top, isMultiArch(), manifests, dirCopy);
    } catch (IOException e) {
      throw new UncheckedIOException("write synthetic image '" + tag + "' into " + layout, e);
    }
  }

  private WrittenImage.PlatformManifest writeManifest(
      OciLayoutWriter writer, String tag, String platform, int platformIndex) throws IOException {
    List<Descriptor> layerDescriptors = new ArrayList<>();
    List<String> diffIds = new ArrayList<>();
    for (int i = 0; i < baseLayers; i++) {
      addLayer(writer, mix("base", baseSeed, 0, i), baseLayerSize, layerDescriptors, diffIds);
    }
    for (int i = 0; i < layers; i++) {
      addLayer(writer, mix("layer", seed, platformIndex, i), layerSize, layerDescriptors, diffIds);
    }
    String[] parts = platform.split("/");
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("created", "1970-01-01T00:00:00Z");
    config.put("architecture", parts[1]);
    config.put("os", parts[0]);
    if (parts.length > 2) {
      config.put("variant", parts[2]);
    }
    // LinkedHashMap everywhere: Map.of iterates in a per-JVM random order, the JSON must not.
    config.put("config", ordered(
        "Cmd", List.of("/bin/true"),
        "Labels", ordered("dev.holdfast.test.seed", Long.toString(seed), "dev.holdfast.test.tag", tag)));
    config.put("rootfs", ordered("type", "layers", "diff_ids", diffIds));
    Descriptor configDescriptor = writer.putJson(config, format.config);

    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", format.manifest);
    manifest.put("config", descriptorJson(configDescriptor));
    manifest.put("layers", layerDescriptors.stream().map(SyntheticImage::descriptorJson).toList());
    Descriptor manifestDescriptor = writer.putJson(manifest, format.manifest);
    return new WrittenImage.PlatformManifest(
        platform, manifestDescriptor, configDescriptor, layerDescriptors);
  }

  private void addLayer(OciLayoutWriter writer, long layerSeed, long size,
      List<Descriptor> descriptors, List<String> diffIds) throws IOException {
    LayerGenerator.Result layer = writer.layer(layerSeed, size, compression);
    String mediaType = compression == Compression.NONE ? format.tarLayer : format.gzipLayer;
    descriptors.add(new Descriptor(mediaType, layer.digest(), layer.size()));
    diffIds.add(layer.diffId());
  }

  /** Derives a layer seed; different kinds/seeds/platforms/positions give unrelated streams. */
  static long mix(String kind, long seed, int platformIndex, int position) {
    LayerGenerator.SplitMix64 m =
        new LayerGenerator.SplitMix64(seed * 31 + kind.hashCode() + 0x5DEECE66DL * platformIndex);
    long a = m.next() ^ position * 0x9e3779b97f4a7c15L;
    return new LayerGenerator.SplitMix64(a).next();
  }

  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  static Map<String, Object> descriptorJson(Descriptor d) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("mediaType", d.mediaType());
    json.put("digest", d.digest());
    json.put("size", d.size());
    return json;
  }

  private static Map<String, Object> platformJson(String platform) {
    String[] parts = platform.split("/");
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("architecture", parts[1]);
    json.put("os", parts[0]);
    if (parts.length > 2) {
      json.put("variant", parts[2]);
    }
    return json;
  }

  /** Builds a {@link SyntheticImage}; every setter validates its input. */
  public static final class Builder {
    private long seed;
    private int layers = 1;
    private long layerSize = 64 * 1024;
    private long baseSeed;
    private int baseLayers;
    private long baseLayerSize = 64 * 1024;
    private List<String> platforms = List.of("linux/amd64");
    private Format format = Format.OCI;
    private Compression compression = Compression.GZIP_STORED;

    private Builder() {}

    /** Seed of the image's own (non-base) layers and of its config label. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Number of the image's own layers (per platform). */
    public Builder layers(int count) {
      this.layers = nonNegative(count, "layers");
      return this;
    }

    /** Bytes of random content in each own layer. */
    public Builder layerSize(long bytes) {
      this.layerSize = nonNegative(bytes, "layerSize");
      return this;
    }

    /** Seed of the shared base layers; equal base settings give equal base layer digests. */
    public Builder baseSeed(long seed) {
      this.baseSeed = seed;
      return this;
    }

    /** Number of shared base layers, placed before the own layers. */
    public Builder baseLayers(int count) {
      this.baseLayers = nonNegative(count, "baseLayers");
      return this;
    }

    /** Bytes of random content in each base layer. */
    public Builder baseLayerSize(long bytes) {
      this.baseLayerSize = nonNegative(bytes, "baseLayerSize");
      return this;
    }

    /**
     * Platforms as {@code os/arch[/variant]}; more than one gives an index (manifest list). The
     * default is {@code linux/amd64} alone.
     */
    public Builder platforms(String... platforms) {
      if (platforms.length == 0) {
        throw new IllegalArgumentException("at least one platform is needed");
      }
      for (String p : platforms) {
        if (!p.matches("[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?")) {
          throw new IllegalArgumentException("platform '" + p + "' is not os/arch[/variant]");
        }
      }
      this.platforms = List.of(platforms);
      return this;
    }

    /** Shorthand for {@code platforms("linux/amd64", "linux/arm64")}. */
    public Builder multiArch() {
      return platforms("linux/amd64", "linux/arm64");
    }

    /** OCI (default) or Docker media types. */
    public Builder format(Format format) {
      this.format = Objects.requireNonNull(format, "format");
      return this;
    }

    /** How layers are stored; default {@link Compression#GZIP_STORED}. */
    public Builder compression(Compression compression) {
      this.compression = Objects.requireNonNull(compression, "compression");
      return this;
    }

    /** The immutable image description. */
    public SyntheticImage build() {
      return new SyntheticImage(this);
    }

    private static <N extends Number> N nonNegative(N value, String what) {
      if (value.longValue() < 0) {
        throw new IllegalArgumentException(what + " must not be negative: " + value);
      }
      return value;
    }
  }
}
