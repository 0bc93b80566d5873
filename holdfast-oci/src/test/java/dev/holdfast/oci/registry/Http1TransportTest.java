package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Http1Transport}'s timeouts against real sockets on loopback: a request's own timeout
 * (the scheme probe's) bounds waiting for the answer although the transport's read timeout is
 * long, and does not stick to the pooled connection afterwards.
 */
class Http1TransportTest {

  private static final Duration LONG = Duration.ofSeconds(30);
  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

  private ServerSocket server;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  /** Whether the server answers; when false it reads the request and stays silent. */
  private volatile boolean answer;
  /** When set, answers wait until the test opens it. */
  private volatile CountDownLatch held;
  /** Whether the server closes each connection after its first answer. */
  private volatile boolean closeAfterAnswer;
  /** Request heads read so far, on all connections. */
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().start(() -> {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          accepted.add(socket);
          Thread.ofPlatform().daemon().start(() -> serve(socket));
        } catch (IOException closed) {
          return;
        }
      }
    });
  }

  /**
   * Reads request heads and skips their bodies; answers each with a small 200, or not at all; with
   * {@link #closeAfterAnswer}, closes the connection after the answer, as a server closing an idle
   * keep-alive connection would.
   */
  private void serve(Socket socket) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      StringBuilder head = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0) {
        head.append((char) b);
        if (head.toString().endsWith("\r\n\r\n")) {
          Matcher length = CONTENT_LENGTH.matcher(head);
          if (length.find()) {
            in.skipNBytes(Long.parseLong(length.group(1)));
          }
          head.setLength(0);
          requests.incrementAndGet();
          if (!answer) {
            continue;
          }
          CountDownLatch gate = held;
          if (gate != null) {
            gate.await();
          }
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          if (closeAfterAnswer) {
            socket.shutdownOutput();
            return;
          }
        }
      }
    } catch (IOException | InterruptedException ignored) {
      // the client went away
    }
  }

  @AfterEach
  void stop() throws IOException {
    if (held != null) {
      held.countDown();
    }
    server.close();
    for (Socket socket : accepted) {
      socket.close();
    }
  }

  private URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v2/");
  }

  private static Http1Transport.Request get(URI uri, Duration timeout) {
    return new Http1Transport.Request("GET", uri, List.of(Map.entry("User-Agent", "test")), null,
        null, -1, timeout);
  }

  /** Sends on another thread, so the test can hold the answer back meanwhile. */
  private static CompletableFuture<Http1Transport.Reply> sendAsync(Http1Transport transport,
      Http1Transport.Request request) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return transport.send(request);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  @Test
  void aRequestsOwnTimeoutBoundsTheWaitForItsAnswer() {
    Http1Transport transport = new Http1Transport(Duration.ofSeconds(5), LONG);
    answer = false;
    long start = System.nanoTime();

    assertThatThrownBy(() -> transport.send(get(uri(), Duration.ofMillis(300))))
        .isInstanceOf(SocketTimeoutException.class);

    // well below the transport's 30 s read timeout (not a speed assertion: it would hang otherwise)
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG);
  }

  @Test
  void theShortTimeoutDoesNotStickToThePooledConnection() throws IOException {
    Http1Transport transport = new Http1Transport(Duration.ofSeconds(5), LONG);
    answer = true;
    Http1Transport.Reply probe = transport.send(get(uri(), Duration.ofMillis(500)));
    try (InputStream body = probe.body()) {
      assertThat(body.readAllBytes()).asString(StandardCharsets.ISO_8859_1).isEqualTo("{}");
    }
    held = new CountDownLatch(1);
    CompletableFuture<Http1Transport.Reply> answered = sendAsync(transport, get(uri(), null));
    // still waiting, without a timeout, well past the probe's 500 ms; then the answer comes
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(10)).until(() -> !answered.isDone());
    held.countDown();
    Http1Transport.Reply next = answered.join();

    assertThat(next.status()).isEqualTo(200);
    try (InputStream body = next.body()) {
      assertThat(body.readAllBytes()).hasSize(2);
    }
    assertThat(transport.connectionsOpened()).as("the second request reused the probe's connection")
        .isEqualTo(1);
  }

  @Test
  void closeClosesPooledConnectionsAndThoseGivenBackLater() throws IOException {
    Http1Transport transport = new Http1Transport(Duration.ofSeconds(5), LONG);
    answer = true;
    Http1Transport.Reply first = transport.send(get(uri(), null));
    try (InputStream body = first.body()) {
      body.readAllBytes(); // back to the pool
    }
    held = new CountDownLatch(1);
    CompletableFuture<Http1Transport.Reply> second = sendAsync(transport, get(uri(), null));
    // the second request is on the pooled connection, its answer held back
    await().atMost(Duration.ofSeconds(10)).until(() -> requests.get() == 2);
    assertThat(accepted).hasSize(1);

    transport.close();
    held.countDown();
    try (InputStream body = second.join().body()) {
      assertThat(body.readAllBytes()).as("a response under way is read to its end").hasSize(2);
    }

    // the server's side ends when the client closes the connection instead of pooling it
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.get(0).isClosed());
    assertThat(transport.connectionsOpened()).isEqualTo(1);
    assertThatThrownBy(() -> transport.send(get(uri(), null)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  private static Http1Transport.Request upload(URI uri, byte[] body) {
    return new Http1Transport.Request("PUT", uri, List.of(Map.entry("User-Agent", "test")), null,
        (out, buffer) -> out.write(body), body.length);
  }

  private static void readToEnd(Http1Transport.Reply reply) throws IOException {
    try (InputStream body = reply.body()) {
      assertThat(body.readAllBytes()).hasSize(2);
    }
  }

  @Test
  void aStreamedUploadDoesNotTakeAnIdleConnectionTheServerClosed() throws IOException {
    // checked at once (the transport's own threshold is half a second)
    Http1Transport transport = new Http1Transport(Duration.ofSeconds(5), LONG, Duration.ZERO);
    answer = true;
    closeAfterAnswer = true;
    readToEnd(transport.send(get(uri(), null))); // back to the pool; the server then closes it
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.get(0).isClosed());

    Http1Transport.Reply reply = transport.send(upload(uri(), new byte[1000]));

    assertThat(reply.status()).isEqualTo(200);
    readToEnd(reply);
    assertThat(transport.connectionsOpened()).as("a new connection for the upload").isEqualTo(2);
    assertThat(requests.get()).isEqualTo(2);
  }

  @Test
  void streamedUploadsReuseAConnectionJustGivenBack() throws IOException {
    Http1Transport transport = new Http1Transport(Duration.ofSeconds(5), LONG);
    answer = true;
    readToEnd(transport.send(get(uri(), null)));

    for (int i = 0; i < 3; i++) {
      readToEnd(transport.send(upload(uri(), new byte[1000])));
    }

    assertThat(transport.connectionsOpened()).isEqualTo(1);
    assertThat(requests.get()).isEqualTo(4);
  }

  @Test
  void closeClosesIdleConnections() throws IOException {
    Http1Transport transport = new Http1Transport(Duration.ofSeconds(5), LONG);
    answer = true;
    try (InputStream body = transport.send(get(uri(), null)).body()) {
      body.readAllBytes();
    }
    assertThat(accepted).hasSize(1);
    assertThat(accepted.get(0).isClosed()).as("pooled, open").isFalse();

    transport.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.get(0).isClosed());
  }

  @Test
  void aRefusedConnectionIsAConnectException() throws IOException {
    URI closedPort;
    try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = URI.create("http://127.0.0.1:" + gone.getLocalPort() + "/v2/");
    }
    Http1Transport transport = new Http1Transport(Duration.ofSeconds(5), LONG);

    assertThatThrownBy(() -> transport.send(get(closedPort, Duration.ofSeconds(1))))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void aConnectTimeoutIsAConnectExceptionNotAReadTimeout() throws IOException {
    // a listener that never accepts: once its accept queue is full, Linux drops further SYNs, so
    // the next connect times out (the scheme probe must read that as "unreachable", not as "this
    // port does not speak TLS")
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> queued = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          Socket socket = new Socket();
          try {
            socket.connect(full.getLocalSocketAddress(), 200);
            queued.add(socket);
          } catch (SocketTimeoutException queueFull) {
            socket.close();
            break;
          }
        }
        URI uri = URI.create("http://127.0.0.1:" + full.getLocalPort() + "/v2/");
        Http1Transport transport = new Http1Transport(Duration.ofMillis(300), LONG);

        assertThatThrownBy(() -> transport.send(get(uri, null)))
            .isInstanceOf(ConnectException.class)
            .hasMessageContaining("timed out after 300 ms")
            .hasCauseInstanceOf(SocketTimeoutException.class);
      } finally {
        for (Socket socket : queued) {
          socket.close();
        }
      }
    }
  }
}
