package dev.holdfast.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A small blocking HTTP/1.1 client over {@link Socket}/{@link SSLSocket} for the registry calls
 * (the JDK {@code HttpClient}, the fallback, runs a transfer through several threads and a fresh
 * buffer per socket read). One request per connection at a time; connections are kept per origin (scheme,
 * host, port, TLS trust) in a bounded pool and given back only after their response body was read
 * to its end; any error closes the connection. The socket timeout is the read timeout, so a stalled
 * body fails too. Uploads are written from one large buffer that is reused across transfers.
 *
 * <p>Redirects, authentication and retries are the caller's ({@link RegistryCaller}); this class
 * only retries once, on a fresh connection, a request without a body whose pooled connection
 * turned out to be closed by the server before any response arrived.
 */
final class Http1Transport {

  static final int MAX_IDLE_PER_ORIGIN = 16;
  static final int UPLOAD_BUFFER_SIZE = 1024 * 1024;
  private static final int MAX_POOLED_BUFFERS = 8;
  /** Idle connections older than this are closed rather than reused. */
  static final Duration MAX_IDLE = Duration.ofSeconds(30);
  /**
   * A pooled connection idle for longer than this is checked before it carries a streamed upload
   * (which cannot be sent again once its stream was read): servers close idle keep-alive
   * connections after seconds, not milliseconds. The check blocks for a millisecond and ends in
   * an exception, so a sync's uploads on connections just given back skip it, as OkHttp's and
   * Apache HttpClient's pools skip theirs.
   */
  static final Duration CHECK_IDLE_AFTER = Duration.ofMillis(500);

  /** Writes a request body of exactly the announced length, using {@code buffer} as it likes. */
  @FunctionalInterface
  interface BodyWriter {
    void writeTo(OutputStream out, byte[] buffer) throws IOException;
  }

  /**
   * A request. {@code tls} is null for plain HTTP; {@code body} null for none, else {@code length}
   * bytes sent with {@code Content-Length}; {@code timeout} null for the transport's read timeout,
   * else this request's own (it bounds the TLS handshake and each read of the response head).
   */
  record Request(String method, URI uri, List<Map.Entry<String, String>> headers, SSLContext tls,
      BodyWriter body, long length, Duration timeout) {
    Request(String method, URI uri, List<Map.Entry<String, String>> headers, SSLContext tls,
        BodyWriter body, long length) {
      this(method, uri, headers, tls, body, length, null);
    }
  }

  /** A response; the body must be read to its end or closed. */
  record Reply(int status, HttpHeaders headers, InputStream body) {}

  private record Origin(String scheme, String host, int port, String authority, SSLContext tls) {
    static Origin of(URI uri, SSLContext tls) throws IOException {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      boolean https = scheme.equals("https");
      if (!https && !scheme.equals("http")) {
        throw new java.net.ProtocolException("not an http or https URL: " + HttpWire.shown(uri.toString()));
      }
      if (https && tls == null) {
        throw new IllegalArgumentException("https needs a TLS context: " + uri);
      }
      String host = uri.getHost();
      if (host == null) {
        throw new java.net.ProtocolException("no host in " + HttpWire.shown(uri.toString()));
      }
      String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
      return new Origin(scheme, bare, port, RegistryEndpoints.authority(uri), https ? tls : null);
    }

    // equals and hashCode are written out, not generated: see docs/architecture.md, "Start-up"
    @Override
    public boolean equals(Object o) {
      return o instanceof Origin other && port == other.port && scheme.equals(other.scheme)
          && host.equals(other.host) && authority.equals(other.authority) && tls == other.tls;
    }

    @Override
    public int hashCode() {
      return (scheme.hashCode() * 31 + host.hashCode()) * 31 + port;
    }
  }

  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;
  private final long checkIdleAfterNanos;
  private final Map<Origin, Deque<Connection>> idle = new HashMap<>();
  private final ConcurrentLinkedQueue<byte[]> buffers = new ConcurrentLinkedQueue<>();
  private final AtomicInteger connectionsOpened = new AtomicInteger();
  private volatile boolean closed;

  Http1Transport(Duration connectTimeout, Duration readTimeout) {
    this(connectTimeout, readTimeout, CHECK_IDLE_AFTER);
  }

  /** With another {@link #CHECK_IDLE_AFTER} (for tests). */
  Http1Transport(Duration connectTimeout, Duration readTimeout, Duration checkIdleAfter) {
    this.connectTimeoutMillis = millis(connectTimeout);
    this.readTimeoutMillis = millis(readTimeout);
    this.checkIdleAfterNanos = checkIdleAfter.toNanos();
  }

  private static int millis(Duration duration) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toMillis()));
  }

  /** Connections opened so far (for tests). */
  int connectionsOpened() {
    return connectionsOpened.get();
  }

  /**
   * Closes the idle connections; a connection in use is closed when its response has been read
   * instead of going back to the pool. Sending afterwards throws {@link IllegalStateException}.
   */
  void close() {
    closed = true;
    List<Connection> pooled = new ArrayList<>();
    synchronized (idle) {
      idle.values().forEach(pooled::addAll);
      idle.clear();
    }
    pooled.forEach(Connection::close);
  }

  boolean isClosed() {
    return closed;
  }

  /** Sends the request and reads the response head; the body streams from the connection. */
  Reply send(Request request) throws IOException {
    if (closed) {
      throw new IllegalStateException("the registry client is closed");
    }
    Origin origin = Origin.of(request.uri(), request.tls());
    byte[] head = head(request, origin);
    int timeout = request.timeout() == null ? readTimeoutMillis : millis(request.timeout());
    Connection pooled = take(origin);
    // a streamed upload cannot be repeated once the caller's stream was read: it takes a pooled
    // connection that has been idle for a while only when the server has not closed it meanwhile
    if (pooled != null && request.body() != null
        && System.nanoTime() - pooled.idleSince > checkIdleAfterNanos && !pooled.looksOpen(readTimeoutMillis)) {
      pooled.close();
      pooled = null;
    }
    if (pooled != null) {
      try {
        return exchange(pooled, request, head, timeout);
      } catch (StaleConnection stale) {
        // the server closed the idle connection: once more on a new one
      }
    }
    return exchange(open(origin, timeout), request, head, timeout);
  }

  private Reply exchange(Connection connection, Request request, byte[] head, int timeout)
      throws IOException {
    boolean headRead = false;
    try {
      if (timeout != readTimeoutMillis) { // pooled connections keep the read timeout between requests
        connection.socket.setSoTimeout(timeout);
      }
      connection.out.write(head);
      if (request.body() != null) {
        try {
          writeBody(connection, request);
        } catch (IOException writeFailed) {
          Reply early = earlyReply(connection, request);
          if (early == null) {
            throw writeFailed;
          }
          return early;
        }
      }
      connection.out.flush();
      HttpWire.Head response = HttpWire.readHead(connection.in, connection.origin.authority());
      headRead = true;
      if (timeout != readTimeoutMillis) {
        connection.socket.setSoTimeout(readTimeoutMillis); // the body, and later requests
      }
      return reply(connection, request, response, true);
    } catch (IOException e) {
      IOException failure = connection.reused || headRead ? e : tlsAlertBehind(connection, e);
      connection.close();
      if (connection.reused && !headRead && request.body() == null
          && !(e instanceof SocketTimeoutException)) {
        throw new StaleConnection(e);
      }
      throw failure;
    } catch (RuntimeException | Error e) {
      connection.close();
      throw e;
    }
  }

  /**
   * On a new TLS connection a failed write can hide the reason: with TLS 1.3 a server that refuses
   * the client's certificate, or its absence, says so in an alert after the client's side of the
   * handshake is done and closes the connection, and the request's write then fails first ("Broken
   * pipe"). The alert is already in the socket's receive buffer: read it, and report it instead.
   */
  private static IOException tlsAlertBehind(Connection connection, IOException failure) {
    if (!(connection.socket instanceof SSLSocket) || failure instanceof SSLException) {
      return failure;
    }
    try {
      connection.socket.setSoTimeout(1000);
      connection.in.read();
    } catch (SSLException alert) {
      alert.addSuppressed(failure);
      return alert;
    } catch (IOException | RuntimeException nothingMore) {
      // no alert: the write's failure is the whole story
    }
    return failure;
  }

  private void writeBody(Connection connection, Request request) throws IOException {
    byte[] buffer = borrowBuffer();
    try {
      LengthCheckedOutput out = new LengthCheckedOutput(connection.out, request.length());
      request.body().writeTo(out, buffer);
      out.checkComplete();
      connection.out.flush();
    } finally {
      buffers.offer(buffer);
      if (buffers.size() > MAX_POOLED_BUFFERS) {
        buffers.poll();
      }
    }
  }

  /**
   * The response a server sent before it stopped reading an upload (say, 401 or 404 for an
   * upload session it does not know, then closing the connection), or null when there is none.
   */
  private Reply earlyReply(Connection connection, Request request) {
    try {
      HttpWire.Head response = HttpWire.readHead(connection.in, connection.origin.authority());
      return reply(connection, request, response, false);
    } catch (IOException | RuntimeException none) {
      connection.close();
      return null;
    }
  }

  private Reply reply(Connection connection, Request request, HttpWire.Head response,
      boolean mayReuse) throws IOException {
    InputStream body = HttpWire.body(connection.in, response, request.method(),
        connection.origin.authority(), reusable -> {
          if (reusable && mayReuse) {
            giveBack(connection);
          } else {
            connection.close();
          }
        });
    return new Reply(response.status(), response.headers(), body);
  }

  private byte[] borrowBuffer() {
    byte[] buffer = buffers.poll();
    return buffer != null ? buffer : new byte[UPLOAD_BUFFER_SIZE];
  }

  private static byte[] head(Request request, Origin origin) {
    URI uri = request.uri();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    StringBuilder text = new StringBuilder(256);
    text.append(request.method()).append(' ').append(checked(target)).append(" HTTP/1.1\r\n");
    text.append("Host: ").append(checked(origin.authority())).append("\r\n");
    for (Map.Entry<String, String> header : request.headers()) {
      text.append(checked(header.getKey())).append(": ").append(checked(header.getValue()))
          .append("\r\n");
    }
    if (request.body() != null) {
      text.append("Content-Length: ").append(request.length()).append("\r\n");
    } else if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      text.append("Content-Length: 0\r\n"); // a POST or DELETE without a body says so
    }
    text.append("\r\n");
    return text.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Refuses text that would break the request head (CR, LF, other controls, non-Latin-1). */
  private static String checked(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
        throw new IllegalArgumentException("a request line or header contains a control character");
      }
    }
    return text;
  }

  private Connection take(Origin origin) {
    long now = System.nanoTime();
    synchronized (idle) {
      Deque<Connection> connections = idle.get(origin);
      if (connections == null) {
        return null;
      }
      for (Iterator<Connection> it = connections.iterator(); it.hasNext(); ) {
        Connection connection = it.next();
        long idleNanos = now - connection.idleSince;
        it.remove();
        if (idleNanos <= MAX_IDLE.toNanos() && !connection.socket.isClosed()) {
          return connection;
        }
        connection.close();
      }
      return null;
    }
  }

  private void giveBack(Connection connection) {
    connection.idleSince = System.nanoTime();
    connection.reused = true;
    synchronized (idle) {
      for (Deque<Connection> connections : idle.values()) { // expired ones of any origin
        while (!connections.isEmpty()
            && connection.idleSince - connections.peekLast().idleSince > MAX_IDLE.toNanos()) {
          connections.pollLast().close();
        }
      }
      Deque<Connection> connections = idle.computeIfAbsent(connection.origin, o -> new ArrayDeque<>());
      if (!closed && connections.size() < MAX_IDLE_PER_ORIGIN) {
        connections.addFirst(connection);
        return;
      }
    }
    connection.close();
  }

  private Connection open(Origin origin, int timeoutMillis) throws IOException {
    Socket socket = origin.tls() != null ? new RecordBufferedSocket() : new Socket();
    try {
      socket.setTcpNoDelay(true);
      try {
        socket.connect(new InetSocketAddress(origin.host(), origin.port()), connectTimeoutMillis);
      } catch (SocketTimeoutException e) {
        // as the JDK client's HttpConnectTimeoutException: the registry is unreachable, which a
        // scheme probe must not mistake for "this port does not speak TLS"
        ConnectException unreachable = new ConnectException("connecting to " + origin.authority()
            + " timed out after " + connectTimeoutMillis + " ms");
        unreachable.initCause(e);
        throw unreachable;
      }
      socket.setSoTimeout(timeoutMillis);
      if (origin.tls() != null) {
        SSLSocket tls = (SSLSocket) origin.tls().getSocketFactory()
            .createSocket(socket, origin.host(), origin.port(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        socket = tls;
        tls.startHandshake();
      }
      connectionsOpened.incrementAndGet();
      return new Connection(socket, origin);
    } catch (IOException | RuntimeException e) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already failing
      }
      throw e;
    }
  }

  /** An open connection. */
  private static final class Connection {
    final Socket socket;
    final Origin origin;
    final WireInput in;
    final OutputStream out;
    long idleSince;
    boolean reused;

    Connection(Socket socket, Origin origin) throws IOException {
      this.socket = socket;
      this.origin = origin;
      this.in = new WireInput(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    /**
     * Whether the server has neither closed the idle connection nor sent anything on it: a read
     * that times out after a millisecond says so.
     */
    boolean looksOpen(int readTimeoutMillis) {
      if (in.buffered() > 0) {
        return false;
      }
      try {
        socket.setSoTimeout(1);
        in.read();
        return false; // end of stream, or bytes nobody asked for
      } catch (SocketTimeoutException quiet) {
        return true;
      } catch (IOException e) {
        return false;
      } finally {
        try {
          socket.setSoTimeout(readTimeoutMillis);
        } catch (IOException ignored) {
          // the next read fails and closes the connection
        }
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing left to do
      }
    }
  }

  /**
   * The TCP socket under a TLS connection, read through a 64 KiB buffer. The JDK's {@code
   * SSLSocket} reads each TLS record from the socket below it in two reads (its 5-byte header,
   * then its body of up to 16 KiB), each a system call and a copy through a temporary direct
   * buffer; with the buffer one system call brings several records (a 1 GiB copy over HTTPS:
   * 18,000 reads instead of ~150,000). Only the TLS layer reads it.
   */
  private static final class RecordBufferedSocket extends Socket {
    private InputStream buffered;

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      if (buffered == null) {
        buffered = new java.io.BufferedInputStream(super.getInputStream(), 64 * 1024);
      }
      return buffered;
    }
  }

  /** A pooled connection failed before any response: the server had closed it. */
  private static final class StaleConnection extends IOException {
    StaleConnection(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** Passes the body through and refuses more or fewer bytes than announced. */
  private static final class LengthCheckedOutput extends OutputStream {
    private final OutputStream out;
    private final long length;
    private long written;

    LengthCheckedOutput(OutputStream out, long length) {
      this.out = out;
      this.length = length;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (written + len > length) {
        throw new IOException("the request body is longer than the " + length + " bytes announced");
      }
      out.write(b, off, len);
      written += len;
    }

    void checkComplete() throws IOException {
      if (written != length) {
        throw new IOException("the request body has " + written + " bytes, not the " + length
            + " announced");
      }
    }
  }
}
