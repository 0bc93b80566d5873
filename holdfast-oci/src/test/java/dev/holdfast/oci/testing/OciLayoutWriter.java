package dev.holdfast.oci.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes blobs, {@code index.json} and {@code oci-layout} of an OCI image layout
 * (https://github.com/opencontainers/image-spec/blob/main/image-layout.md), plus skopeo
 * {@code dir:} copies for Docker media types.
 */
final class OciLayoutWriter {

  static final String REF_NAME = "org.opencontainers.image.ref.name";
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

  private final Path root;
  private final Path blobs;
  private final Path layerCache;

  OciLayoutWriter(Path root) throws IOException {
    this.root = root;
    this.blobs = root.resolve("blobs/sha256");
    this.layerCache = root.resolve(".holdfast-layer-cache");
    Files.createDirectories(blobs);
    Files.createDirectories(layerCache);
    Path marker = root.resolve("oci-layout");
    if (!Files.exists(marker)) {
      Files.writeString(marker, "{\"imageLayoutVersion\":\"1.0.0\"}");
    }
  }

  /** Stores compact JSON as a blob. */
  Descriptor putJson(Object json, String mediaType) throws IOException {
    return putBytes(JSON.writeValueAsBytes(json), mediaType);
  }

  Descriptor putBytes(byte[] bytes, String mediaType) throws IOException {
    String hex = HexFormat.of().formatHex(LayerGenerator.sha256().digest(bytes));
    Path target = blobs.resolve(hex);
    if (!Files.exists(target)) {
      Path tmp = Files.createTempFile(blobs, ".blob-", ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return new Descriptor(mediaType, "sha256:" + hex, bytes.length);
  }

  /**
   * Generates a layer unless this layout already holds the one for (seed, size, compression): a
   * small cache file remembers its digests, so shared base layers are generated once per layout.
   */
  LayerGenerator.Result layer(long seed, long size, SyntheticImage.Compression compression)
      throws IOException {
    Path cached = layerCache.resolve(Long.toHexString(seed) + "-" + size + "-" + compression);
    if (Files.exists(cached)) {
      String[] parts = Files.readString(cached).trim().split(" ");
      LayerGenerator.Result r =
          new LayerGenerator.Result(parts[0], Long.parseLong(parts[1]), parts[2]);
      Path blob = blobs.resolve(r.digest().substring(7));
      if (Files.exists(blob) && Files.size(blob) == r.size()) {
        return r;
      }
    }
    LayerGenerator.Result r = LayerGenerator.write(blobs, seed, size, compression);
    Files.writeString(cached, r.digest() + " " + r.size() + " " + r.diffId() + "\n");
    return r;
  }

  /** Points the {@code index.json} entry named {@code tag} at {@code top}, keeping the others. */
  void tag(String tag, Descriptor top) throws IOException {
    Path indexFile = root.resolve("index.json");
    List<Object> entries = new ArrayList<>();
    if (Files.exists(indexFile)) {
      for (JsonNode entry : JSON.readTree(indexFile.toFile()).path("manifests")) {
        if (!tag.equals(entry.path("annotations").path(REF_NAME).asText(null))) {
          entries.add(entry);
        }
      }
    }
    Map<String, Object> entry = SyntheticImage.descriptorJson(top);
    entry.put("annotations", Map.of(REF_NAME, tag));
    entries.add(entry);
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", "application/vnd.oci.image.index.v1+json");
    index.put("manifests", entries);
    Path tmp = Files.createTempFile(root, ".index-", ".tmp");
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
    Files.move(tmp, indexFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Writes {@code dir-TAG} in skopeo's {@code dir:} transport format (version 1.1): {@code
   * manifest.json} (the top manifest or list), {@code <hex>.manifest.json} per list instance and
   * {@code <hex>} per blob, hard-linked from the layout where possible. skopeo's {@code oci:}
   * transport ignores index.json entries with Docker media types; {@code dir:} copies them as is.
   */
  Path writeDirCopy(String tag, Descriptor top, List<WrittenImage.PlatformManifest> manifests)
      throws IOException {
    Path dir = root.resolve("dir-" + tag);
    if (Files.exists(dir)) {
      try (Stream<Path> old = Files.list(dir)) {
        for (Path p : old.toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("version"), "Directory Transport Version: 1.1\n",
        StandardCharsets.US_ASCII);
    link(top, dir.resolve("manifest.json"));
    Set<Descriptor> blobSet = new LinkedHashSet<>();
    for (WrittenImage.PlatformManifest m : manifests) {
      if (!m.manifest().equals(top)) {
        link(m.manifest(), dir.resolve(m.manifest().hex() + ".manifest.json"));
      }
      blobSet.add(m.config());
      blobSet.addAll(m.layers());
    }
    for (Descriptor blob : blobSet) {
      link(blob, dir.resolve(blob.hex()));
    }
    return dir;
  }

  private void link(Descriptor blob, Path target) throws IOException {
    Path source = blobs.resolve(blob.hex());
    try {
      Files.createLink(target, source);
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
