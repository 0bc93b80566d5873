package dev.holdfast.oci.registry;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response body as {@link HttpWire} frames it: a fixed length, chunks, or everything until the
 * connection closes. Tells its {@link HttpWire.BodyEnd} once, when read to the end (reusable, if
 * the framing allows) or closed early (not reusable).
 */
abstract class WireBody extends InputStream {

  final WireInput in;
  private final HttpWire.BodyEnd end;
  private boolean ended;

  WireBody(WireInput in, HttpWire.BodyEnd end) {
    this.in = in;
    this.end = end;
  }

  final void finish(boolean reusable) {
    if (!ended) {
      ended = true;
      end.ended(reusable);
    }
  }

  final boolean ended() {
    return ended;
  }

  @Override
  public final int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public void close() {
    finish(false);
  }

  /** Exactly {@code remaining} bytes. */
  static final class Fixed extends WireBody {
    private final String peer;
    private final boolean keep;
    private long remaining;

    Fixed(WireInput in, long length, String peer, boolean keep, HttpWire.BodyEnd end) {
      super(in, end);
      this.remaining = length;
      this.peer = peer;
      this.keep = keep;
      if (length == 0) {
        finish(keep);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining == 0 || ended()) {
        return remaining == 0 ? -1 : failClosed();
      }
      if (len == 0) {
        return 0;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        finish(false);
        throw new EOFException(peer + " closed the connection with " + remaining
            + " bytes of the body still to come");
      }
      remaining -= n;
      if (remaining == 0) {
        finish(keep);
      }
      return n;
    }

    @Override
    public int available() {
      return ended() ? 0 : (int) Math.min(remaining, in.buffered());
    }

    private int failClosed() throws IOException {
      throw new IOException("the body from " + peer + " was closed");
    }
  }

  /** {@code Transfer-Encoding: chunked}: size lines in hex, data, and trailers at the end. */
  static final class Chunked extends WireBody {
    private final String peer;
    private final boolean keep;
    private long chunkRemaining;
    private boolean first = true;
    private boolean last;

    Chunked(WireInput in, String peer, boolean keep, HttpWire.BodyEnd end) {
      super(in, end);
      this.peer = peer;
      this.keep = keep;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (last) {
        return -1;
      }
      if (ended()) {
        throw new IOException("the body from " + peer + " was closed");
      }
      if (len == 0) {
        return 0;
      }
      try {
        if (chunkRemaining == 0) {
          nextChunk();
          if (last) {
            return -1;
          }
        }
        int n = in.read(b, off, (int) Math.min(len, chunkRemaining));
        if (n < 0) {
          throw new EOFException(peer + " closed the connection inside a chunk of the body");
        }
        chunkRemaining -= n;
        return n;
      } catch (IOException e) {
        finish(false);
        throw e;
      }
    }

    private void nextChunk() throws IOException {
      if (!first) {
        String end = in.readLine(HttpWire.MAX_CHUNK_LINE, "a chunk's end from " + peer);
        if (end == null || !end.isEmpty()) {
          throw HttpWire.malformed(peer, "chunk not followed by CRLF");
        }
      }
      first = false;
      String line = in.readLine(HttpWire.MAX_CHUNK_LINE, "a chunk size line from " + peer);
      if (line == null) {
        throw new EOFException(peer + " closed the connection before the last chunk");
      }
      int semicolon = line.indexOf(';');
      String size = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
      if (size.isEmpty() || size.length() > 15) {
        throw HttpWire.malformed(peer, "chunk size '" + HttpWire.shown(line) + "'");
      }
      long parsed = 0;
      for (int i = 0; i < size.length(); i++) {
        int digit = Character.digit(size.charAt(i), 16);
        if (digit < 0) {
          throw HttpWire.malformed(peer, "chunk size '" + HttpWire.shown(line) + "'");
        }
        parsed = parsed * 16 + digit;
      }
      if (parsed > 0) {
        chunkRemaining = parsed;
        return;
      }
      int budget = HttpWire.MAX_HEAD_BYTES;
      while (true) { // trailer fields, ignored
        String trailer = in.readLine(budget, "the trailers from " + peer);
        if (trailer == null) {
          throw new EOFException(peer + " closed the connection inside the trailers");
        }
        if (trailer.isEmpty()) {
          break;
        }
        budget -= trailer.length() + 2;
        if (budget <= 0) {
          throw HttpWire.malformed(peer, "trailers longer than " + HttpWire.MAX_HEAD_BYTES + " bytes");
        }
      }
      last = true;
      finish(keep);
    }
  }

  /** Everything until the server closes the connection (which is then not reusable). */
  static final class UntilClose extends WireBody {
    UntilClose(WireInput in, HttpWire.BodyEnd end) {
      super(in, end);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (ended()) {
        return -1;
      }
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        finish(false);
        throw e;
      }
      if (n < 0) {
        finish(false);
      }
      return n;
    }
  }
}
