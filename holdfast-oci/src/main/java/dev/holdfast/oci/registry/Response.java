package dev.holdfast.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Optional;

/**
 * A response with an open body. Closing it closes the body and gives back the request's
 * concurrency permit; a body read to its end leaves the connection free for reuse.
 */
final class Response implements AutoCloseable {

  final int status;
  final HttpHeaders headers;
  final URI uri;
  private final InputStream body;
  private final ConcurrencyLimiter.Permit permit;

  Response(int status, HttpHeaders headers, URI uri, InputStream body, ConcurrencyLimiter.Permit permit) {
    this.status = status;
    this.headers = headers;
    this.uri = uri;
    this.body = body;
    this.permit = permit;
  }

  Optional<String> header(String name) {
    return headers.firstValue(name);
  }

  List<String> headers(String name) {
    return headers.allValues(name);
  }

  /** The body stream; closing it releases the permit too. */
  InputStream body() {
    return new java.io.FilterInputStream(body) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
      }

      @Override
      public void close() throws IOException {
        Response.this.close();
      }
    };
  }

  /** Reads the whole body, up to {@code limit} bytes; null when it is longer. */
  byte[] readAtMost(int limit) throws IOException {
    byte[] bytes = body.readNBytes(limit + 1);
    return bytes.length > limit ? null : bytes;
  }

  /** Reads and discards the rest of a small body so the connection can be reused. */
  void drain() {
    try {
      body.skip(64 * 1024);
    } catch (IOException ignored) {
      // the connection is closed instead of reused
    }
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException ignored) {
      // nothing to do: the connection is dropped
    } finally {
      permit.release();
    }
  }
}
