package dev.holdfast.operator.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * Serves {@code /metrics} (Prometheus text), {@code /healthz} (the process answers) and {@code
 * /readyz} (the informers have synced), over plain HTTP for the kubelet and Prometheus.
 */
public final class ProbeServer implements AutoCloseable {
  private final HttpServer server;

  public ProbeServer(InetSocketAddress address, PrometheusMeterRegistry metrics, BooleanSupplier ready) {
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("serve probes and metrics on " + address, e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/metrics", exchange -> answer(exchange, 200, metrics.scrape(),
        "text/plain; version=0.0.4; charset=utf-8"));
    server.createContext("/healthz", exchange -> answer(exchange, 200, "ok\n", "text/plain"));
    server.createContext("/readyz", exchange -> {
      boolean isReady = ready.getAsBoolean();
      answer(exchange, isReady ? 200 : 503, isReady ? "ok\n" : "informers are not synced yet\n", "text/plain");
    });
  }

  /** Starts serving. */
  public void start() {
    server.start();
  }

  /** The address served, with the port chosen when it was 0. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void answer(HttpExchange exchange, int status, String body, String type) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
