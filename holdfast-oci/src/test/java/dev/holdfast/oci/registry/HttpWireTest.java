package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HttpWireTest {

  private static final String PEER = "registry.test:5000";

  /** What a response parsed to: status, the body, and how the body ended. */
  record Parsed(int status, String body, List<Boolean> ends) {}

  /** Parses a response from the wire and reads its body to the end, the way the transport does. */
  static Parsed parse(String wire, String method) throws IOException {
    WireInput in = new WireInput(
        new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)));
    HttpWire.Head head = HttpWire.readHead(in, PEER);
    List<Boolean> ends = new ArrayList<>();
    try (InputStream body = HttpWire.body(in, head, method, PEER, ends::add)) {
      String text = new String(body.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(body.read()).as("a second end is quiet").isEqualTo(-1);
      return new Parsed(head.status(), text, List.copyOf(ends));
    }
  }

  static Stream<Arguments> wellFormed() {
    return Stream.of(
        Arguments.of("content-length", "GET",
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
            200, "hello", true),
        Arguments.of("content-length, header names in any case", "GET",
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nCONTENT-LENGTH:3\r\n\r\nabcNEXT",
            200, "abc", true),
        Arguments.of("repeated identical content-length values", "GET",
            "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok", 200, "ok", true),
        Arguments.of("zero content-length", "GET",
            "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 201, "", true),
        Arguments.of("chunked with extensions and trailers", "GET",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\nA ; x=\"y\"\r\n world 123\r\n0;last\r\nX-Trailer: t\r\n"
                + "Another: u\r\n\r\n",
            200, "hello world 123", true),
        Arguments.of("chunked, coding names in any case, bare LF", "GET",
            "HTTP/1.1 200 OK\nTransfer-Encoding: gzip, CHUNKED\n\n3\nabc\n0\n\n", 200, "abc", true),
        Arguments.of("chunked wins over content-length, connection not reused", "GET",
            "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nhi\r\n0\r\n\r\n",
            200, "hi", false),
        Arguments.of("close-delimited", "GET",
            "HTTP/1.1 200 OK\r\nContent-Type: x\r\n\r\nuntil the end", 200, "until the end", false),
        Arguments.of("transfer coding other than chunked is close-delimited", "GET",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw", 200, "raw", false),
        Arguments.of("HEAD has no body whatever the length says", "HEAD",
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 200, "", true),
        Arguments.of("204 has no body", "GET",
            "HTTP/1.1 204 No Content\r\n\r\n", 204, "", true),
        Arguments.of("304 has no body", "GET",
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", 304, "", true),
        Arguments.of("interim responses are skipped", "PUT",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
            201, "", true),
        Arguments.of("status line without reason", "GET",
            "HTTP/1.1 404\r\nContent-Length: 1\r\n\r\nx", 404, "x", true),
        Arguments.of("Connection: close", "GET",
            "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 1\r\n\r\nx",
            200, "x", false),
        Arguments.of("HTTP/1.0 closes", "GET",
            "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", 200, "x", false),
        Arguments.of("empty header value, whitespace around values", "GET",
            "HTTP/1.1 200 OK\r\nX-Empty:\r\nContent-Type: \t text/plain \r\nContent-Length: 0\r\n\r\n",
            200, "", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wellFormed")
  void parsesWellFormedResponses(String name, String method, String wire, int status, String body,
      boolean reusable) throws IOException {
    Parsed parsed = parse(wire, method);
    assertThat(parsed.status()).isEqualTo(status);
    assertThat(parsed.body()).isEqualTo(body);
    assertThat(parsed.ends()).containsExactly(reusable);
  }

  @org.junit.jupiter.api.Test
  void headerFieldsAreFoundInAnyCaseAndRepeatedOnesKeepTheirOrder() throws IOException {
    WireInput in = new WireInput(new ByteArrayInputStream(("HTTP/1.1 401 Unauthorized\r\n"
        + "WWW-Authenticate: Basic realm=\"a\"\r\nwww-authenticate: Bearer realm=\"b\"\r\n"
        + "Content-Type: application/json\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
    HttpWire.Head head = HttpWire.readHead(in, PEER);
    assertThat(head.status()).isEqualTo(401);
    assertThat(head.headers().allValues("Www-Authenticate"))
        .containsExactly("Basic realm=\"a\"", "Bearer realm=\"b\"");
    assertThat(head.headers().firstValue("CONTENT-TYPE")).contains("application/json");
    assertThat(head.keepAlive()).isTrue();
  }

  static Stream<Arguments> malformed() {
    String ok = "HTTP/1.1 200 OK\r\n";
    return Stream.of(
        Arguments.of("no response at all", "", EOFException.class, "without a response"),
        Arguments.of("closed inside the head", ok + "Content-Length: 5\r\n", EOFException.class,
            "inside the response head"),
        Arguments.of("empty status line", "\r\n\r\n", ProtocolException.class, "status line ''"),
        Arguments.of("not HTTP", "ICY 200 OK\r\n\r\n", ProtocolException.class,
            "status line 'ICY 200 OK'"),
        Arguments.of("HTTP/2 status line", "HTTP/2 200\r\n\r\n", ProtocolException.class,
            "status line 'HTTP/2 200'"),
        Arguments.of("letters in the status", "HTTP/1.1 2OO OK\r\n\r\n", ProtocolException.class,
            "status line 'HTTP/1.1 2OO OK'"),
        Arguments.of("two-digit status", "HTTP/1.1 20 OK\r\n\r\n", ProtocolException.class,
            "status line"),
        Arguments.of("no space after status", "HTTP/1.1 200OK\r\n\r\n", ProtocolException.class,
            "status line"),
        Arguments.of("control characters are escaped in the message", "HTTP/1.1 2\u00010\r\n\r\n",
            ProtocolException.class, "status line 'HTTP/1.1 2\\x010'"),
        Arguments.of("header without colon", ok + "NoColonHere\r\n\r\n", ProtocolException.class,
            "header line 'NoColonHere'"),
        Arguments.of("space before the colon", ok + "Content-Length : 1\r\n\r\nx",
            ProtocolException.class, "header name 'Content-Length '"),
        Arguments.of("obsolete line folding", ok + "X-A: b\r\n continued\r\n\r\n",
            ProtocolException.class, "header line ' continued'"),
        Arguments.of("empty header name", ok + ": value\r\n\r\n", ProtocolException.class,
            "header line ': value'"),
        Arguments.of("control character in a value", ok + "X-A: a\u0000b\r\n\r\n",
            ProtocolException.class, "control character in header X-A"),
        Arguments.of("non-numeric Content-Length", ok + "Content-Length: abc\r\n\r\n",
            ProtocolException.class, "Content-Length 'abc'"),
        Arguments.of("negative Content-Length", ok + "Content-Length: -1\r\n\r\n",
            ProtocolException.class, "Content-Length '-1'"),
        Arguments.of("huge Content-Length", ok + "Content-Length: 99999999999999999999\r\n\r\n",
            ProtocolException.class, "Content-Length '99999999999999999999'"),
        Arguments.of("conflicting Content-Length list", ok + "Content-Length: 5, 6\r\n\r\nhello!",
            ProtocolException.class, "conflicting Content-Length values 5 and 6"),
        Arguments.of("conflicting Content-Length fields",
            ok + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            ProtocolException.class, "conflicting Content-Length values 5 and 6"),
        Arguments.of("body shorter than Content-Length", ok + "Content-Length: 10\r\n\r\nhello",
            EOFException.class, "with 5 bytes of the body still to come"),
        Arguments.of("non-hex chunk size", ok + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
            ProtocolException.class, "chunk size 'zz'"),
        Arguments.of("empty chunk size", ok + "Transfer-Encoding: chunked\r\n\r\n;ext\r\n",
            ProtocolException.class, "chunk size ';ext'"),
        Arguments.of("negative chunk size", ok + "Transfer-Encoding: chunked\r\n\r\n-5\r\n",
            ProtocolException.class, "chunk size '-5'"),
        Arguments.of("chunk size overflowing", ok + "Transfer-Encoding: chunked\r\n\r\n"
            + "1234567890abcdef0\r\n", ProtocolException.class, "chunk size '1234567890abcdef0'"),
        Arguments.of("chunk longer than its size",
            ok + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n",
            ProtocolException.class, "chunk not followed by CRLF"),
        Arguments.of("chunked body cut off", ok + "Transfer-Encoding: chunked\r\n\r\n5\r\nhel",
            EOFException.class, "inside a chunk"),
        Arguments.of("no last chunk", ok + "Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n",
            EOFException.class, "before the last chunk"),
        Arguments.of("trailers cut off",
            ok + "Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n", EOFException.class,
            "inside the trailers"),
        Arguments.of("oversized header field", ok + "X-Big: " + "a".repeat(70_000) + "\r\n\r\n",
            ProtocolException.class, "longer than " + HttpWire.MAX_HEAD_BYTES + " bytes"),
        Arguments.of("oversized head in many fields",
            ok + "X-Many: 0123456789012345678901234567890123456789\r\n".repeat(255)
                + "X-Last: " + "b".repeat(60_000) + "\r\n\r\n",
            ProtocolException.class, "longer than " + HttpWire.MAX_HEAD_BYTES + " bytes"),
        Arguments.of("too many header fields", ok + "X-F: 1\r\n".repeat(300) + "\r\n",
            ProtocolException.class, "more than " + HttpWire.MAX_HEADER_FIELDS + " header fields"),
        Arguments.of("oversized chunk size line",
            ok + "Transfer-Encoding: chunked\r\n\r\n5;" + "e".repeat(5000) + "\r\nhello\r\n0\r\n\r\n",
            ProtocolException.class, "longer than " + HttpWire.MAX_CHUNK_LINE + " bytes"),
        Arguments.of("endless interim responses", "HTTP/1.1 100 Continue\r\n\r\n".repeat(20),
            ProtocolException.class, "interim responses"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void refusesMalformedResponsesNamingThePeerAndTheBadPart(String name, String wire,
      Class<? extends IOException> type, String fragment) {
    assertThatThrownBy(() -> parse(wire, "GET"))
        .isInstanceOf(type)
        .hasMessageContaining(PEER)
        .hasMessageContaining(fragment);
  }

  @ParameterizedTest(name = "closing before the end: {0}")
  @MethodSource("wellFormed")
  void aBodyClosedBeforeItsEndIsNotReused(String name, String method, String wire, int status,
      String body, boolean reusable) throws IOException {
    WireInput in = new WireInput(
        new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)));
    HttpWire.Head head = HttpWire.readHead(in, PEER);
    List<Boolean> ends = new ArrayList<>();
    InputStream stream = HttpWire.body(in, head, method, PEER, ends::add);
    stream.close();
    stream.close();
    // an empty body has ended (reusable or not) before anyone read it; any other is abandoned
    assertThat(ends).containsExactly(body.isEmpty() && reusable && !wire.contains("chunked"));
  }
}
