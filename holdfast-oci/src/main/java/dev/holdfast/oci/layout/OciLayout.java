package dev.holdfast.oci.layout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.oci.FileErrors;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.MediaTypes;
import dev.holdfast.oci.reference.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An OCI image layout on disk: {@code oci-layout}, {@code index.json} and {@code blobs/<alg>/<hex>}.
 *
 * <p>Interchangeable with skopeo's {@code oci:} transport: an image is named in {@code index.json}
 * by the {@code org.opencontainers.image.ref.name} annotation of its entry. Writes are crash-safe:
 * a blob is written to a temporary file in the layout directory, verified, then renamed into
 * place, so a partial blob never appears under its digest (the temporary files are removed when
 * the process is stopped, and by the next write to the layout); {@code index.json} is replaced
 * atomically, and only after everything it points at is on disk. One process writes a layout at a
 * time; within a process, {@link #tag} is serialised per instance.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md">OCI image layout</a>
 */
public final class OciLayout {

  /** The annotation that names an image in {@code index.json}. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  static final String LAYOUT_FILE = "oci-layout";
  static final String INDEX_FILE = "index.json";
  private static final int BUFFER = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OciLayout.class);

  private final Path directory;
  private final Object indexLock = new Object();

  private OciLayout(Path directory) {
    this.directory = directory;
  }

  /**
   * Opens an existing layout.
   *
   * @throws OciLayoutException when {@code directory} holds no {@code oci-layout} file
   */
  public static OciLayout open(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    if (!Files.isRegularFile(dir.resolve(LAYOUT_FILE))) {
      throw new OciLayoutException("open OCI layout " + dir + ": no " + LAYOUT_FILE
          + " file there; is this an OCI image layout directory?");
    }
    return new OciLayout(dir);
  }

  /** Whether {@code directory} holds a whole layout ({@code oci-layout} and the index): opening it creates nothing. */
  public static boolean exists(Path directory) {
    return Files.isRegularFile(directory.resolve(LAYOUT_FILE)) && Files.isRegularFile(directory.resolve(INDEX_FILE));
  }

  /** Opens a layout, creating the directory, {@code oci-layout} and an empty index when missing. */
  public static OciLayout openOrCreate(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
      if (!Files.exists(dir.resolve(LAYOUT_FILE))) {
        writeAtomically(dir, dir.resolve(LAYOUT_FILE),
            "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      if (!Files.exists(dir.resolve(INDEX_FILE))) {
        ObjectNode index = emptyIndex();
        writeAtomically(dir, dir.resolve(INDEX_FILE), JSON.writeValueAsBytes(index));
      }
      int removed = PartialFiles.removeLeftovers(dir);
      if (removed > 0) {
        log.info("removed {} partial file(s) an interrupted write left in OCI layout {}", removed, dir);
      }
    } catch (IOException e) {
      throw new OciLayoutException("create OCI layout " + dir + ": " + FileErrors.reason(e), e);
    }
    return new OciLayout(dir);
  }

  /** The absolute directory of this layout. */
  public Path directory() {
    return directory;
  }

  /** The entries of {@code index.json}, in order. */
  public List<Descriptor> entries() {
    List<Descriptor> result = new ArrayList<>();
    for (JsonNode entry : manifestsOf(readIndex())) {
      result.add(LayoutJson.descriptor(entry, directory));
    }
    return result;
  }

  /** The names ({@value #REF_NAME}) of the entries of {@code index.json}, in order. */
  public List<String> names() {
    return entries().stream()
        .map(d -> d.annotations().get(REF_NAME))
        .filter(n -> n != null && !n.isEmpty())
        .toList();
  }

  /**
   * The entry an image name selects, the way skopeo's {@code oci:DIR[:NAME]} does: the entry
   * annotated with that name, or without a name the single entry of the index.
   *
   * @throws OciLayoutException when no entry matches, or no name is given and the index does not
   *     hold exactly one entry
   */
  public Descriptor resolve(Optional<String> name) {
    List<Descriptor> entries = entries();
    if (name.isEmpty()) {
      if (entries.size() != 1) {
        throw new OciLayoutException("OCI layout " + directory + " holds " + entries.size()
            + " images; name one as oci:" + directory + ":NAME (names: " + names() + ")");
      }
      return entries.get(0);
    }
    // The last entry wins, as writers replace a name by removing the old entry and appending.
    Descriptor found = null;
    for (Descriptor entry : entries) {
      if (name.get().equals(entry.annotations().get(REF_NAME))) {
        found = entry;
      }
    }
    if (found == null) {
      throw new OciLayoutException.NotFound("OCI layout " + directory + " has no image named \""
          + name.get() + "\" (names: " + names() + ")");
    }
    return found;
  }

  /** The file that holds (or would hold) a blob. */
  public Path blobPath(Digest digest) {
    return directory.resolve("blobs").resolve(digest.algorithm()).resolve(digest.encoded());
  }

  /** Whether the blob is present. */
  public boolean hasBlob(Digest digest) {
    return Files.isRegularFile(blobPath(digest));
  }

  /**
   * Opens a blob for reading; the stream checks size and digest and fails at its end on mismatch.
   *
   * @throws OciLayoutException.NotFound when the blob is missing
   */
  public InputStream openBlob(Descriptor descriptor) {
    return open(descriptor, true);
  }

  /**
   * Like {@link #openBlob}, but the stream checks only the size, and does not hash: for a blob
   * that goes straight into a registry that checks the digest itself.
   *
   * @throws OciLayoutException.NotFound when the blob is missing
   */
  public InputStream openBlobUnhashed(Descriptor descriptor) {
    return open(descriptor, false);
  }

  private InputStream open(Descriptor descriptor, boolean hash) {
    Path path = blobPath(descriptor.digest());
    try {
      return new VerifyingInputStream(Files.newInputStream(path), descriptor, hash,
          "read blob " + descriptor.digest() + " from OCI layout " + directory);
    } catch (NoSuchFileException e) {
      throw new OciLayoutException.NotFound("read blob " + descriptor.digest() + " from OCI layout "
          + directory + ": missing (" + path + ")");
    } catch (IOException e) {
      throw new OciLayoutException("read blob " + descriptor.digest() + " from OCI layout " + directory
          + ": " + FileErrors.reason(e), e);
    }
  }

  /** Reads a small blob (a manifest, a config) fully, verifying size and digest. */
  public byte[] readBlob(Descriptor descriptor) {
    try (InputStream in = openBlob(descriptor)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new OciLayoutException("read blob " + descriptor.digest() + " from OCI layout " + directory
          + ": " + FileErrors.reason(e), e);
    }
  }

  /**
   * Writes a blob from a stream: into a temporary file, checked against the descriptor's size and
   * digest, then renamed into place. Returns without reading when the blob is already there.
   *
   * @return the number of bytes written (0 when the blob was present)
   * @throws OciLayoutException when the content does not match the descriptor or the disk fails
   */
  public long writeBlob(Descriptor descriptor, InputStream content) {
    return write(descriptor, content, true);
  }

  /**
   * Like {@link #writeBlob(Descriptor, InputStream)} for a stream that verifies itself and fails
   * at its end on a wrong digest (as {@code RegistryClient.openBlob} and {@link #openBlob} do): the
   * size is checked, the content is not hashed a second time. A failing stream leaves no blob.
   */
  public long writeVerifiedBlob(Descriptor descriptor, InputStream selfVerifyingContent) {
    return write(descriptor, selfVerifyingContent, false);
  }

  private long write(Descriptor descriptor, InputStream content, boolean hash) {
    Path target = blobPath(descriptor.digest());
    if (Files.isRegularFile(target)) {
      return 0;
    }
    String action = "write blob " + descriptor.digest() + " to OCI layout " + directory;
    Path temp = null;
    try {
      Files.createDirectories(target.getParent());
      temp = PartialFiles.create(directory, "blob-");
      MessageDigest hasher = descriptor.digest().newHasher();
      long written = 0;
      try (OutputStream out = Files.newOutputStream(temp)) {
        byte[] buffer = new byte[BUFFER];
        int n;
        while ((n = content.read(buffer)) > 0) {
          if (hash) {
            hasher.update(buffer, 0, n);
          }
          out.write(buffer, 0, n);
          written += n;
          if (written > descriptor.size()) {
            throw new OciLayoutException(action + ": more than the expected " + descriptor.size() + " bytes");
          }
        }
      }
      if (written != descriptor.size()) {
        throw new OciLayoutException(action + ": got " + written + " bytes, expected " + descriptor.size());
      }
      Digest actual = hash ? Digest.of(descriptor.digest().algorithm(), hasher.digest()) : descriptor.digest();
      if (!actual.equals(descriptor.digest())) {
        throw new OciLayoutException(action + ": content has digest " + actual);
      }
      move(temp, target);
      PartialFiles.done(temp);
      temp = null;
      return written;
    } catch (IOException e) {
      throw new OciLayoutException(action + ": " + FileErrors.reason(e), e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // best effort: a leftover .partial file is ignored by every reader, and the next writer removes it
        }
        PartialFiles.done(temp);
      }
    }
  }

  /** Writes a small blob held in memory (a manifest), like {@link #writeBlob(Descriptor, InputStream)}. */
  public long writeBlob(Descriptor descriptor, byte[] content) {
    return writeBlob(descriptor, new java.io.ByteArrayInputStream(content));
  }

  /**
   * Records a manifest in {@code index.json}, atomically. With a name, an entry with the same name
   * is replaced; without one, an unnamed entry with the same digest is replaced (skopeo's rules).
   * The manifest blob and everything it refers to must already be written.
   */
  public void tag(Descriptor manifest, Optional<String> name) {
    if (!hasBlob(manifest.digest())) {
      throw new OciLayoutException("tag " + manifest.digest() + " in OCI layout " + directory
          + ": the manifest blob is not in the layout; write it first");
    }
    name.ifPresent(LayoutNames::requireValid);
    synchronized (indexLock) {
      ObjectNode index = readIndex();
      ArrayNode manifests = index.withArray("manifests");
      ArrayNode kept = JSON.createArrayNode();
      for (JsonNode entry : manifests) {
        String entryName = entry.path("annotations").path(REF_NAME).asText("");
        boolean sameName = name.isPresent() && name.get().equals(entryName);
        boolean sameUnnamed = name.isEmpty() && entryName.isEmpty()
            && manifest.digest().toString().equals(entry.path("digest").asText());
        if (!sameName && !sameUnnamed) {
          kept.add(entry);
        }
      }
      Descriptor entry = manifest;
      if (name.isPresent()) {
        var annotations = new java.util.TreeMap<>(manifest.annotations());
        annotations.put(REF_NAME, name.get());
        entry = manifest.withAnnotations(annotations);
      }
      kept.add(LayoutJson.toJson(entry));
      index.set("manifests", kept);
      try {
        writeAtomically(directory, directory.resolve(INDEX_FILE), JSON.writeValueAsBytes(index));
      } catch (IOException e) {
        throw new OciLayoutException("update " + INDEX_FILE + " of OCI layout " + directory + ": "
            + FileErrors.reason(e), e);
      }
    }
  }

  private ObjectNode readIndex() {
    Path file = directory.resolve(INDEX_FILE);
    try {
      JsonNode node = JSON.readTree(Files.readAllBytes(file));
      if (!(node instanceof ObjectNode object) || !node.path("manifests").isArray()) {
        throw new OciLayoutException("read " + file + ": not an OCI image index (no \"manifests\" array)");
      }
      return object;
    } catch (NoSuchFileException e) {
      return emptyIndex();
    } catch (IOException e) {
      throw new OciLayoutException("read " + file + ": " + FileErrors.reason(e), e);
    }
  }

  private static List<JsonNode> manifestsOf(ObjectNode index) {
    List<JsonNode> list = new ArrayList<>();
    index.path("manifests").forEach(list::add);
    return list;
  }

  private static ObjectNode emptyIndex() {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    index.putArray("manifests");
    return index;
  }

  private static void writeAtomically(Path dir, Path target, byte[] content) throws IOException {
    Path temp = PartialFiles.create(dir, "");
    try {
      Files.write(temp, content);
      move(temp, target);
    } finally {
      Files.deleteIfExists(temp);
      PartialFiles.done(temp);
    }
  }

  private static void move(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      // a concurrent writer put the same content-addressed blob in place first
    }
    // Blobs are world-readable like skopeo's (0644); temp files are created 0600.
    try {
      Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
  }

  @Override
  public String toString() {
    return "OciLayout[" + directory + "]";
  }
}
