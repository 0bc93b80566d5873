package dev.holdfast.operator.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * Serves the admission webhook over HTTPS only ({@code POST /mutate}), with keep-alive, one virtual
 * thread per exchange, and the serving certificate of a {@link ReloadingKeyManager}. Answers never
 * wait for anything but memory.
 */
public final class WebhookServer implements AutoCloseable {
  /** The path the webhook is registered at. */
  public static final String PATH = "/mutate";
  private static final int MAX_BODY = 8 * 1024 * 1024;

  private final HttpsServer server;
  private final ReloadingKeyManager keys = new ReloadingKeyManager();

  public WebhookServer(InetSocketAddress address, AdmissionHandler handler, WebhookMetrics metrics) {
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(new javax.net.ssl.KeyManager[] {keys}, null, null);
      server = HttpsServer.create(address, 128);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
    } catch (IOException e) {
      throw new UncheckedIOException("serve the webhook on " + address, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS for the webhook", e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(PATH, exchange -> {
      Timer.Sample sample = Timer.start();
      try (exchange) {
        if (!"POST".equals(exchange.getRequestMethod())) {
          reply(exchange, 405, new byte[0]);
          return;
        }
        byte[] body = read(exchange.getRequestBody());
        Optional<byte[]> answer = body == null ? Optional.empty() : handler.handle(body);
        if (answer.isPresent()) {
          reply(exchange, 200, answer.get());
        } else {
          reply(exchange, 400, "{\"error\":\"not an AdmissionReview\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      } finally {
        sample.stop(metrics.latency());
      }
    });
  }

  /** Serves this certificate from the next TLS handshake on. */
  public void useCertificate(String certificatePem, String keyPem) {
    keys.update(certificatePem, keyPem);
  }

  /** Whether a serving certificate is loaded. */
  public boolean hasCertificate() {
    return keys.isLoaded();
  }

  /** Starts serving. */
  public void start() {
    server.start();
  }

  /** The address served, with the port chosen when it was 0. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static byte[] read(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY + 1);
    return body.length > MAX_BODY ? null : body;
  }

  private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
