package dev.holdfast.oci.registry;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HTTP/1.1 response grammar of RFC 9112 as the blob transport needs it: the status line,
 * header fields (case-insensitive), and the body framed by {@code Content-Length}, {@code
 * Transfer-Encoding: chunked} (extensions and trailers skipped) or the end of the connection.
 * Responses to {@code HEAD} and 1xx, 204 and 304 responses have no body. Anything malformed is a
 * {@link ProtocolException} naming the peer and the bad part.
 */
final class HttpWire {

  static final int MAX_HEAD_BYTES = 64 * 1024;
  static final int MAX_HEADER_FIELDS = 256;
  static final int MAX_CHUNK_LINE = 4 * 1024;
  private static final int MAX_INTERIM_RESPONSES = 16;

  /** How the body ends. */
  enum Framing { NONE, LENGTH, CHUNKED, CLOSE }

  /** A response's status and header fields; {@code keepAlive}: the server keeps the connection. */
  record Head(int status, HttpHeaders headers, boolean keepAlive) {}

  /** Told once when a body has ended: read to its end ({@code reusable}) or abandoned. */
  @FunctionalInterface
  interface BodyEnd {
    void ended(boolean reusable);
  }

  private HttpWire() {}

  /** Reads the head of the final response, skipping interim (1xx) ones. */
  static Head readHead(WireInput in, String peer) throws IOException {
    for (int interim = 0; ; interim++) {
      Head head = readOneHead(in, peer);
      if (head.status() >= 200 || head.status() == 101) {
        return head;
      }
      if (interim >= MAX_INTERIM_RESPONSES) {
        throw malformed(peer, "more than " + MAX_INTERIM_RESPONSES + " interim responses");
      }
    }
  }

  private static Head readOneHead(WireInput in, String peer) throws IOException {
    int budget = MAX_HEAD_BYTES;
    String statusLine = headLine(in, budget, peer);
    if (statusLine == null) {
      throw new EOFException(peer + " closed the connection without a response");
    }
    budget -= statusLine.length() + 2;
    boolean http11 = statusLine.startsWith("HTTP/1.1 ");
    if (!http11 && !statusLine.startsWith("HTTP/1.0 ")) {
      throw malformed(peer, "status line '" + shown(statusLine) + "'");
    }
    if (statusLine.length() < 12 || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')
        || !digits(statusLine, 9, 12) || statusLine.charAt(9) == '0') {
      throw malformed(peer, "status line '" + shown(statusLine) + "'");
    }
    int status = Integer.parseInt(statusLine, 9, 12, 10);
    Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    int count = 0;
    while (true) {
      if (budget <= 0) {
        throw malformed(peer, "response head longer than " + MAX_HEAD_BYTES + " bytes");
      }
      String line = headLine(in, budget, peer);
      if (line == null) {
        throw new EOFException(peer + " closed the connection inside the response head");
      }
      budget -= line.length() + 2;
      if (line.isEmpty()) {
        break;
      }
      if (++count > MAX_HEADER_FIELDS) {
        throw malformed(peer, "more than " + MAX_HEADER_FIELDS + " header fields");
      }
      addField(fields, line, peer);
    }
    boolean close = tokens(fields.get("Connection")).contains("close");
    return new Head(status, HttpHeaders.of(fields, (name, value) -> true), http11 && !close);
  }

  private static String headLine(WireInput in, int budget, String peer) throws IOException {
    try {
      return in.readLine(budget, "the response head from " + peer);
    } catch (ProtocolException tooLong) {
      throw malformed(peer, "response head longer than " + MAX_HEAD_BYTES + " bytes");
    }
  }

  private static void addField(Map<String, List<String>> fields, String line, String peer)
      throws ProtocolException {
    int colon = line.indexOf(':');
    if (colon <= 0) {
      throw malformed(peer, "header line '" + shown(line) + "'");
    }
    for (int i = 0; i < colon; i++) {
      if (!isTokenChar(line.charAt(i))) {
        throw malformed(peer, "header name '" + shown(line.substring(0, colon)) + "'");
      }
    }
    String value = line.substring(colon + 1).strip();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw malformed(peer, "control character in header " + line.substring(0, colon));
      }
    }
    fields.computeIfAbsent(line.substring(0, colon), name -> new ArrayList<>()).add(value);
  }

  /** How a response's body is framed (RFC 9112 section 6.3). */
  static Framing framing(Head head, String method, String peer) throws ProtocolException {
    int status = head.status();
    if (method.equals("HEAD") || status < 200 || status == 204 || status == 304) {
      return Framing.NONE;
    }
    List<String> codings = tokens(head.headers().allValues("Transfer-Encoding"));
    if (!codings.isEmpty()) {
      return codings.get(codings.size() - 1).equals("chunked") ? Framing.CHUNKED : Framing.CLOSE;
    }
    return head.headers().allValues("Content-Length").isEmpty() ? Framing.CLOSE : Framing.LENGTH;
  }

  /** The body's {@code Content-Length}: every value the same decimal number. */
  static long contentLength(Head head, String peer) throws ProtocolException {
    long length = -1;
    for (String value : head.headers().allValues("Content-Length")) {
      for (String part : value.split(",", -1)) {
        String number = part.strip();
        if (number.isEmpty() || number.length() > 18 || !digits(number, 0, number.length())) {
          throw malformed(peer, "Content-Length '" + shown(value) + "'");
        }
        long parsed = Long.parseLong(number);
        if (length >= 0 && parsed != length) {
          throw malformed(peer, "conflicting Content-Length values " + length + " and " + parsed);
        }
        length = parsed;
      }
    }
    return length;
  }

  /**
   * The body of a response whose head was just read. {@code end} hears when it ended; the
   * connection is reusable only when the body was read to its end, framed by length or chunks,
   * and the server keeps the connection.
   */
  static InputStream body(WireInput in, Head head, String method, String peer, BodyEnd end)
      throws IOException {
    Framing framing = framing(head, method, peer);
    boolean keep = head.keepAlive()
        && !(framing == Framing.CHUNKED && !head.headers().allValues("Content-Length").isEmpty());
    return switch (framing) {
      case NONE -> new WireBody.Fixed(in, 0, peer, keep, end);
      case LENGTH -> new WireBody.Fixed(in, contentLength(head, peer), peer, keep, end);
      case CHUNKED -> new WireBody.Chunked(in, peer, keep, end);
      case CLOSE -> new WireBody.UntilClose(in, end);
    };
  }

  static ProtocolException malformed(String peer, String what) {
    return new ProtocolException("malformed HTTP response from " + peer + ": " + what);
  }

  /** Bad input as shown in a message: at most 80 characters, control characters escaped. */
  static String shown(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < 80; i++) {
      char c = text.charAt(i);
      out.append(c < 0x20 || c >= 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return text.length() > 80 ? out + "..." : out.toString();
  }

  private static List<String> tokens(List<String> values) {
    List<String> tokens = new ArrayList<>();
    if (values != null) {
      for (String value : values) {
        for (String token : value.split(",")) {
          if (!token.isBlank()) {
            tokens.add(token.strip().toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    return tokens;
  }

  private static boolean digits(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return to > from;
  }

  private static boolean isTokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
