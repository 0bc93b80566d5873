package dev.holdfast.oci.registry;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Uploads a blob: {@code POST /v2/<name>/blobs/uploads/} opens a session, then either one
 * streamed {@code PUT <location>?digest=} with the whole blob (monolithic), or {@code PATCH}es of
 * {@code chunkSize} bytes with {@code Content-Range} and a closing empty {@code PUT} (chunked).
 * Memory does not grow with the blob: the monolithic upload streams, the chunked one holds one chunk.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs">
 *     pushing blobs</a>
 */
final class BlobPusher implements RegistryOperation<Void> {

  private final ImageReference repository;
  private final Descriptor descriptor;
  private final InputStream content;
  private final int chunkSize;
  /** An upload session opened beforehand, or null: then this opens one. */
  private final String session;
  /** The least a streamed upload writes at once, unless the blob ends sooner. */
  static final int MIN_WRITE = 256 * 1024;

  /** @param chunkSize 0 for a monolithic upload */
  BlobPusher(ImageReference repository, Descriptor descriptor, InputStream content, int chunkSize) {
    this(repository, descriptor, content, chunkSize, null);
  }

  /** Uploads into an upload session already opened ({@link BlobUploadOpener}); it is closed or cancelled. */
  BlobPusher(ImageReference repository, Descriptor descriptor, InputStream content, int chunkSize, String session) {
    if (chunkSize < 0) {
      throw new IllegalArgumentException("chunk size must be positive, got " + chunkSize);
    }
    this.repository = repository;
    this.descriptor = descriptor;
    this.content = content;
    this.chunkSize = chunkSize;
    this.session = session;
  }

  private String action() {
    return action(repository, descriptor.digest());
  }

  /** What an upload of {@code digest} into {@code repository} is called in errors. */
  static String action(ImageReference repository, Digest digest) {
    return "push blob " + repository.name() + "@" + digest;
  }

  @Override
  public Void run(RegistryCaller caller) {
    String location = session != null ? session : start(caller, repository, action());
    try {
      if (chunkSize == 0) {
        putMonolithic(caller, location);
      } else {
        putChunked(caller, location);
      }
    } catch (RuntimeException e) {
      cancel(caller, repository, location, action());
      throw e;
    }
    return null;
  }

  /** {@code POST /v2/<name>/blobs/uploads/}: opens an upload session and returns its location. */
  static String start(RegistryCaller caller, ImageReference repository, String action) {
    Call call = Call.of(repository.registry(), action, "POST",
            RegistryOperation.path(repository.repository(), "blobs/uploads/"))
        .scope(Scope.push(repository.repository()))
        .expect(202);
    try (Response response = caller.send(call)) {
      response.drain();
      return RegistryOperation.location(response, repository.registry(), action);
    }
  }

  private void putMonolithic(RegistryCaller caller, String location) {
    Call call = Call.of(repository.registry(), action(), "PUT",
            RegistryOperation.withQuery(location, "digest=" + descriptor.digest()))
        .scope(Scope.push(repository.repository()))
        .header("Content-Type", "application/octet-stream")
        .streamedBody(this::writeContent, descriptor.size())
        .expect(201);
    try (Response response = caller.send(call)) {
      checkStored(response);
    }
  }

  /**
   * Copies the content to the request through the transport's reusable buffer: the caller's
   * stream reads straight into it (a registry download hashes it there) and the socket writes from
   * it. Reads are gathered until {@value #MIN_WRITE} bytes (or the rest of the blob) are in the
   * buffer: a download over TLS returns one record (16 KiB) per read, and writing each on its own
   * would send two TLS records per read (a full one and a small remainder) and make a system call
   * per record. The end of the content is read before its last bytes are sent, so a source that
   * fails its own check at its end (a digest mismatch) aborts the upload instead of completing it.
   */
  private void writeContent(OutputStream out, byte[] buffer) throws IOException {
    long size = descriptor.size();
    long sent = 0;
    while (sent < size) {
      int want = (int) Math.min(buffer.length, size - sent);
      int filled = 0;
      while (filled < want && filled < MIN_WRITE) {
        int n = readContent(buffer, filled, want - filled);
        if (n < 0) {
          throw new DigestMismatchException(repository.registry(), action(), descriptor.digest(), null,
              size, sent + filled);
        }
        filled += n;
      }
      if (sent + filled == size) {
        expectEnd(size);
      }
      out.write(buffer, 0, filled);
      sent += filled;
    }
    if (size == 0) {
      expectEnd(0);
    }
  }

  private void expectEnd(long size) {
    if (readContent(new byte[1], 0, 1) >= 0) {
      throw new DigestMismatchException(repository.registry(), action(), descriptor.digest(), null,
          size, size + 1);
    }
  }

  private int readContent(byte[] buffer, int offset, int length) {
    try {
      return content.read(buffer, offset, length);
    } catch (IOException e) {
      throw new RegistryException(repository.registry(), action(), 0, null,
          "reading the blob to upload failed: " + e.getMessage(), e);
    }
  }

  private void putChunked(RegistryCaller caller, String location) {
    byte[] buffer = new byte[(int) Math.min(chunkSize, Math.max(descriptor.size(), 1))];
    long offset = 0;
    String current = location;
    while (true) {
      int n;
      try {
        n = content.readNBytes(buffer, 0, buffer.length);
      } catch (IOException e) {
        throw new RegistryException(repository.registry(), action(), 0, null,
            "reading the blob to upload failed: " + e.getMessage(), e);
      }
      if (n == 0) {
        break;
      }
      if (offset + n > descriptor.size()) {
        throw new DigestMismatchException(repository.registry(), action(), descriptor.digest(), null,
            descriptor.size(), offset + n);
      }
      long start = offset;
      int length = n;
      Call call = Call.of(repository.registry(), action(), "PATCH", current)
          .scope(Scope.push(repository.repository()))
          .header("Content-Type", "application/octet-stream")
          .header("Content-Range", start + "-" + (start + length - 1))
          .body(buffer, 0, length)
          .expect(202);
      try (Response response = caller.send(call)) {
        response.drain();
        current = RegistryOperation.location(response, repository.registry(), action());
      }
      offset += n;
    }
    if (offset != descriptor.size()) {
      throw new DigestMismatchException(repository.registry(), action(), descriptor.digest(), null,
          descriptor.size(), offset);
    }
    Call close = Call.of(repository.registry(), action(), "PUT",
            RegistryOperation.withQuery(current, "digest=" + descriptor.digest()))
        .scope(Scope.push(repository.repository()))
        .expect(201);
    try (Response response = caller.send(close)) {
      checkStored(response);
    }
  }

  private void checkStored(Response response) {
    Optional<Digest> stored = response.header("Docker-Content-Digest").flatMap(ManifestChecker::digest);
    if (stored.isPresent() && stored.get().algorithm().equals(descriptor.digest().algorithm())
        && !stored.get().equals(descriptor.digest())) {
      throw new DigestMismatchException(repository.registry(), action(), descriptor.digest(),
          stored.get(), -1, descriptor.size());
    }
    response.drain();
  }

  /** Best effort: {@code DELETE} an upload session that will not be completed. */
  static void cancel(RegistryCaller caller, ImageReference repository, String location, String action) {
    Call call = Call.of(repository.registry(), action + " (cancel the upload)", "DELETE", location)
        .scope(Scope.push(repository.repository()))
        .expect(200, 202, 204, 404, 405);
    call.replayable = false;
    try (Response response = caller.send(call)) {
      response.drain();
    } catch (RegistryException ignored) {
      // the registry expires abandoned sessions itself
    }
  }
}
