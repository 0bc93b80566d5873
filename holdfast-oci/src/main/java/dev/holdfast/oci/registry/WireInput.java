package dev.holdfast.oci.registry;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A connection's input with a small buffer for the response head. Bulk reads larger than the
 * buffer go straight from the socket into the caller's array once the buffer is empty, so body
 * bytes are not copied twice.
 */
final class WireInput {

  private static final int BUFFER_SIZE = 16 * 1024;

  private final InputStream in;
  private final byte[] buffer = new byte[BUFFER_SIZE];
  private int position;
  private int limit;

  WireInput(InputStream in) {
    this.in = in;
  }

  /** Bytes buffered but not read yet. */
  int buffered() {
    return limit - position;
  }

  /** One byte, or -1 at the end of the stream. */
  int read() throws IOException {
    if (position == limit && !fill()) {
      return -1;
    }
    return buffer[position++] & 0xff;
  }

  /** Up to {@code length} bytes into {@code target}, or -1 at the end of the stream. */
  int read(byte[] target, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (position == limit) {
      if (length >= buffer.length) {
        return in.read(target, offset, length);
      }
      if (!fill()) {
        return -1;
      }
    }
    int n = Math.min(length, limit - position);
    System.arraycopy(buffer, position, target, offset, n);
    position += n;
    return n;
  }

  /**
   * A line without its CRLF (or bare LF) as ISO-8859-1 text; null when the stream ends before any
   * byte of it. At most {@code max} bytes.
   *
   * @throws java.net.ProtocolException when the line is longer or the stream ends inside it
   */
  String readLine(int max, String what) throws IOException {
    StringBuilder line = new StringBuilder(64);
    int count = 0;
    while (true) {
      int b = read();
      if (b < 0) {
        if (count == 0) {
          return null;
        }
        throw new EOFException("the connection closed inside " + what);
      }
      if (b == '\n') {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
          line.setLength(end - 1);
        }
        return line.toString();
      }
      if (++count > max) {
        throw new java.net.ProtocolException(
            "malformed HTTP response: " + what + " is longer than " + max + " bytes");
      }
      line.append((char) b);
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    if (n <= 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }
}
