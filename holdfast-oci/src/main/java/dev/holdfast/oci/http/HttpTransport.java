package dev.holdfast.oci.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.routing.DefaultRoutePlanner;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.HttpConnectionFactory;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The blocking HTTP/1.1 client the registry client sends every request with: Apache HttpClient 5
 * (classic API) with one keep-alive pool per origin, the TLS context each request names, streamed
 * request and response bodies, and forward proxies. Thread-safe; one per registry client.
 *
 * <p>A response's body must be read to its end or closed: read to its end, its connection goes
 * back to the pool; closed before, the connection is closed (a blob download abandoned half-way is
 * not read to its end). Redirects, authentication and retries are the caller's; this class only
 * sends a request without a body once more, on a new connection, when a kept-alive connection
 * turns out to have been closed by the server before it answered.
 */
public final class HttpTransport implements AutoCloseable {

  /** The most connections per origin (the registry client's own limit is lower: 8 by default). */
  static final int MAX_PER_ORIGIN = 64;
  /** A pooled connection idle for longer than this is checked before it is used again. */
  static final TimeValue CHECK_IDLE_AFTER = TimeValue.ofMilliseconds(500);
  static final int UPLOAD_BUFFER_SIZE = 1024 * 1024;
  private static final int MAX_POOLED_BUFFERS = 8;
  /** The most a body write sends at once ({@link EarlyResponses} looks for an answer between writes). */
  static final int WRITE_PIECE = 256 * 1024;
  private static final String TLS_CONTEXT = "holdfast.tls-context";

  /** Writes a request body of exactly the announced length, using {@code buffer} as it likes. */
  @FunctionalInterface
  public interface BodyWriter {
    void writeTo(OutputStream out, byte[] buffer) throws IOException;
  }

  /**
   * A request. {@code tls} is null for plain HTTP; {@code body} null for none, else {@code length}
   * bytes sent with {@code Content-Length}; {@code timeout} null for the transport's read timeout,
   * else this request's own (the wait for the response's head).
   */
  public record Request(String method, URI uri, List<Map.Entry<String, String>> headers, SSLContext tls,
      BodyWriter body, long length, Duration timeout) {
    public Request(String method, URI uri, List<Map.Entry<String, String>> headers, SSLContext tls,
        BodyWriter body, long length) {
      this(method, uri, headers, tls, body, length, null);
    }
  }

  /** A response; the body must be read to its end or closed. */
  public record Reply(int status, HttpHeaders headers, InputStream body) {}

  private final Proxies proxies;
  private final RequestConfig defaults;
  private final PoolingHttpClientConnectionManager pool;
  private final CloseableHttpClient client;
  private final AtomicInteger connectionsOpened = new AtomicInteger();
  private final ConcurrentLinkedQueue<byte[]> buffers = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  /** A transport; requests go through {@code proxies} where they name one for the target. */
  public HttpTransport(Duration connectTimeout, Duration readTimeout, Proxies proxies) {
    this.proxies = proxies;
    ManagedHttpClientConnectionFactory connections = ManagedHttpClientConnectionFactory.builder()
        .http1Config(Http1Config.custom().setBufferSize(64 * 1024).build())
        .responseOutOfOrderStrategy(EarlyResponses.INSTANCE)
        .build();
    HttpConnectionFactory<ManagedHttpClientConnection> counting = socket -> {
      connectionsOpened.incrementAndGet();
      return connections.createConnection(socket);
    };
    this.pool = PoolingHttpClientConnectionManagerBuilder.create()
        .setConnectionFactory(counting)
        .setTlsSocketStrategy(HttpTransport::upgrade)
        .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true)
            .setSoTimeout(Timeout.of(readTimeout)).build())
        .setDefaultConnectionConfig(ConnectionConfig.custom()
            .setConnectTimeout(Timeout.of(connectTimeout))
            .setSocketTimeout(Timeout.of(readTimeout))
            .setValidateAfterInactivity(CHECK_IDLE_AFTER)
            .build())
        .setMaxConnPerRoute(MAX_PER_ORIGIN)
        .setMaxConnTotal(4 * MAX_PER_ORIGIN)
        .build();
    this.defaults = RequestConfig.custom()
        .setResponseTimeout(Timeout.of(readTimeout))
        .setRedirectsEnabled(false)
        .setContentCompressionEnabled(false)
        .build();
    this.client = HttpClients.custom()
        .setConnectionManager(pool)
        .setRoutePlanner(new ProxyRoutes(proxies))
        .setDefaultCredentialsProvider(proxyCredentials(proxies))
        .setTargetAuthenticationStrategy((type, challenges, context) -> List.of()) // the registry client's job
        .setRetryStrategy(new StaleConnections())
        .setUserTokenHandler((route, context) -> context.getAttribute(TLS_CONTEXT)) // pooled per TLS context
        .setDefaultRequestConfig(defaults)
        .disableRedirectHandling()
        .disableContentCompression()
        .disableCookieManagement()
        .disableAuthCaching()
        .disableDefaultUserAgent()
        .build();
  }

  /** Connections opened so far (for tests of connection reuse). */
  public int connectionsOpened() {
    return connectionsOpened.get();
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Closes the idle connections; a connection in use is closed when its response has been read
   * instead of staying in the pool. Sending afterwards throws {@link IllegalStateException}.
   */
  @Override
  public void close() {
    closed = true;
    pool.closeIdle(TimeValue.ZERO_MILLISECONDS);
  }

  /** Sends the request and reads the response head; the body streams from the connection. */
  public Reply send(Request request) throws IOException {
    if (closed) {
      throw new IllegalStateException("the registry client is closed");
    }
    URI uri = request.uri();
    HttpHost target = target(uri);
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    BasicClassicHttpRequest message = new BasicClassicHttpRequest(request.method(), target, path);
    for (Map.Entry<String, String> header : request.headers()) {
      message.addHeader(header.getKey(), checked(header.getValue()));
    }
    if (request.body() != null) {
      message.setEntity(new WriterEntity(request.body(), request.length()));
    }
    HttpClientContext context = HttpClientContext.create();
    context.setAttribute(TLS_CONTEXT, request.tls());
    context.setUserToken(request.tls());
    if (request.timeout() != null) {
      context.setRequestConfig(RequestConfig.copy(defaults).setResponseTimeout(Timeout.of(request.timeout())).build());
    }
    ClassicHttpResponse response;
    try {
      response = client.executeOpen(target, message, context);
    } catch (IOException e) {
      throw translated(e, target, uri);
    }
    Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Header header : response.getHeaders()) {
      fields.computeIfAbsent(header.getName(), name -> new ArrayList<>()).add(header.getValue());
    }
    boolean tunnelled = target.getSchemeName().equals("https") && proxyShown(target) != null;
    if (tunnelled && context.getSSLSession() == null) {
      // HttpClient hands back the proxy's answer to CONNECT when the proxy refuses the tunnel
      int code = response.getCode();
      String reason = response.getReasonPhrase();
      response.close();
      throw new ProxyException("the proxy " + proxyShown(target) + " refused to open a tunnel to "
          + target.toHostString() + " (HTTP " + code + (reason == null ? "" : " " + reason) + ")"
          + (code == 407 ? proxyCredentialHint(target) : ""), null);
    }
    if (response.getCode() == 407) {
      response.close();
      throw new ProxyException("the proxy " + proxyShown(target) + " asks for credentials (HTTP 407)"
          + proxyCredentialHint(target), null);
    }
    HttpEntity entity = response.getEntity();
    InputStream body = entity == null ? InputStream.nullInputStream() : new ReplyBody(entity.getContent(), response);
    if (entity == null) {
      response.close();
    }
    return new Reply(response.getCode(), HttpHeaders.of(fields, (name, value) -> true), body);
  }

  private static HttpHost target(URI uri) throws IOException {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new java.net.ProtocolException("not an http or https URL: " + uri);
    }
    String host = uri.getHost();
    if (host == null) {
      throw new java.net.ProtocolException("no host in " + uri);
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return new HttpHost(scheme, bare, port);
  }

  /** Refuses header values that would break the request head (CR, LF, other controls). */
  private static String checked(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new IllegalArgumentException("a request header contains a control character");
      }
    }
    return value;
  }

  /** HttpClient's exceptions in the terms the registry client reads: connect failures, proxies, timeouts. */
  private IOException translated(IOException e, HttpHost target, URI uri) {
    String proxy = proxyShown(target);
    if (proxy != null && (e instanceof HttpHostConnectException || e instanceof ConnectTimeoutException
        || e instanceof NoRouteToHostException)) {
      return new ProxyException("cannot connect to the proxy " + proxy + " ("
          + (e instanceof ConnectTimeoutException ? "timed out" : "connection refused") + ")", e);
    }
    if (e instanceof ConnectTimeoutException) {
      // a ConnectException, as the scheme probe expects of an unreachable registry
      ConnectException unreachable = new ConnectException("connecting to " + target.toHostString() + " timed out");
      unreachable.initCause(e);
      return unreachable;
    }
    if (e instanceof HttpHostConnectException) {
      ConnectException refused = new ConnectException("connecting to " + target.toHostString() + " failed: "
          + (e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : "refused"));
      refused.initCause(e);
      return refused;
    }
    return e;
  }

  /** The proxy that carries requests to {@code target}, as messages show it; null when there is none. */
  private String proxyShown(HttpHost target) {
    return proxies.proxyFor(target.getSchemeName(), target.getHostName(), target.getPort())
        .map(Proxies::shown).orElse(null);
  }

  private String proxyCredentialHint(HttpHost target) {
    boolean has = proxies.proxyFor(target.getSchemeName(), target.getHostName(), target.getPort())
        .map(URI::getRawUserInfo).isPresent();
    return has ? ": it refused the user and password given in the proxy URL"
        : ": give them in the proxy URL, http://USER:PASSWORD@HOST:PORT";
  }

  private static SSLSocket upgrade(Socket socket, String host, int port, Object attachment, HttpContext context)
      throws IOException {
    SSLContext tls = (SSLContext) context.getAttribute(TLS_CONTEXT);
    if (tls == null) {
      throw new javax.net.ssl.SSLException("https to " + host + ":" + port + " without a TLS context");
    }
    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, host, port, true);
    SSLParameters parameters = ssl.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    ssl.setSSLParameters(parameters);
    ssl.startHandshake();
    return ssl;
  }

  private static BasicCredentialsProvider proxyCredentials(Proxies proxies) {
    BasicCredentialsProvider credentials = new BasicCredentialsProvider();
    for (String scheme : List.of("https", "http")) {
      // any target: the proxy is the same for all that are not exempt
      proxies.proxyFor(scheme, "proxy.credentials.invalid", 1).ifPresent(proxy -> {
        String userInfo = proxy.getRawUserInfo();
        if (userInfo != null) {
          int colon = userInfo.indexOf(':');
          String user = URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(0, colon), StandardCharsets.UTF_8);
          String password = colon < 0 ? "" : URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8);
          credentials.setCredentials(new AuthScope(proxy.getHost(), proxy.getPort()),
              new UsernamePasswordCredentials(user, password.toCharArray()));
        }
      });
    }
    return credentials;
  }

  private byte[] borrowBuffer() {
    byte[] buffer = buffers.poll();
    return buffer != null ? buffer : new byte[UPLOAD_BUFFER_SIZE];
  }

  private void giveBack(byte[] buffer) {
    if (buffers.size() < MAX_POOLED_BUFFERS) {
      buffers.offer(buffer);
    }
  }

  /** The proxy for each target, from {@link Proxies}; HTTPS through a proxy goes in a CONNECT tunnel. */
  private static final class ProxyRoutes extends DefaultRoutePlanner {
    private final Proxies proxies;

    ProxyRoutes(Proxies proxies) {
      super(null);
      this.proxies = proxies;
    }

    @Override
    protected HttpHost determineProxy(HttpHost target, HttpContext context) {
      return proxies.proxyFor(target.getSchemeName(), target.getHostName(), target.getPort())
          .map(proxy -> new HttpHost("http", proxy.getHost(), proxy.getPort())).orElse(null);
    }
  }

  /**
   * Sends a request without a body once more when the kept-alive connection it went out on had been
   * closed by the server: no response at all, or the connection reset. Other failures are the
   * registry client's to retry.
   */
  private static final class StaleConnections implements HttpRequestRetryStrategy {
    @Override
    public boolean retryRequest(HttpRequest request, IOException exception, int execCount, HttpContext context) {
      return execCount <= 1 && request instanceof ClassicHttpRequest classic && classic.getEntity() == null
          && (exception instanceof NoHttpResponseException
              || (exception instanceof SocketException && !(exception instanceof ConnectException)));
    }

    @Override
    public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
      return false;
    }

    @Override
    public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
      return TimeValue.ZERO_MILLISECONDS;
    }
  }

  /** A request body written by a {@link BodyWriter} through a reusable buffer, of exactly the announced length. */
  private final class WriterEntity extends AbstractHttpEntity {
    private final BodyWriter writer;
    private final long length;

    WriterEntity(BodyWriter writer, long length) {
      super((String) null, null, false);
      this.writer = writer;
      this.length = length;
    }

    @Override
    public long getContentLength() {
      return length;
    }

    @Override
    public InputStream getContent() {
      throw new UnsupportedOperationException("a streamed request body");
    }

    @Override
    public boolean isRepeatable() {
      return false;
    }

    @Override
    public boolean isStreaming() {
      return false;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      byte[] buffer = borrowBuffer();
      try {
        LengthCheckedOutput checked = new LengthCheckedOutput(out, length);
        writer.writeTo(checked, buffer);
        checked.checkComplete();
      } finally {
        giveBack(buffer);
      }
    }

    @Override
    public void close() {}
  }

  /** A response body: read to its end, its connection goes back to the pool; closed before, it is closed. */
  private final class ReplyBody extends InputStream {
    private final InputStream in;
    private final ClassicHttpResponse response;
    private boolean ended;

    ReplyBody(InputStream in, ClassicHttpResponse response) {
      this.in = in;
      this.response = response;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      ended |= b < 0;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      ended |= n < 0;
      return n;
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }

    @Override
    public void close() throws IOException {
      if (!ended && in instanceof EofSensorInputStream sensor) {
        sensor.abort(); // not read to its end: close the connection rather than read the rest
      }
      response.close();
      if (closed) {
        pool.closeIdle(TimeValue.ZERO_MILLISECONDS);
      }
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
      // in pieces, so that an answer the server sent before reading everything is seen between them
      for (int done = 0; done < len; ) {
        int piece = Math.min(len - done, WRITE_PIECE);
        out.write(b, off + done, piece);
        done += piece;
        written += piece;
      }
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    void checkComplete() throws IOException {
      if (written != length) {
        throw new IOException("the request body has " + written + " bytes, not the " + length + " announced");
      }
    }
  }
}
