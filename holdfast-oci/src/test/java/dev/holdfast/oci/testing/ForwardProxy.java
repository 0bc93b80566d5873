package dev.holdfast.oci.testing;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real forward proxy on loopback: Debian's {@code tinyproxy}, started with a config of its own
 * ({@code tinyproxy.conf} in the given directory: 127.0.0.1 only, every CONNECT port allowed unless
 * {@code extraConfig} says otherwise) and its log ({@code tinyproxy.log}). {@link #requests()}
 * reads from the log the requests the proxy received: {@code GET http://127.0.0.1:5000/v2/
 * HTTP/1.1} for plain HTTP, {@code CONNECT 127.0.0.1:5001 HTTP/1.1} for a tunnel.
 */
public final class ForwardProxy implements AutoCloseable {

  private static final Pattern REQUEST = Pattern.compile("Request \\(file descriptor \\d+\\): (.*)$");

  private final Process process;
  private final int port;
  private final Path log;

  private ForwardProxy(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts tinyproxy with its config and log in {@code directory}; {@code extraConfig} lines are appended. */
  public static ForwardProxy start(Path directory, String... extraConfig) {
    try {
      Files.createDirectories(directory);
      int port;
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = free.getLocalPort();
      }
      Path log = directory.resolve("tinyproxy.log");
      List<String> config = new ArrayList<>(List.of(
          "Port " + port,
          "Listen 127.0.0.1",
          "Timeout 60",
          "LogFile \"" + log + "\"",
          "LogLevel Info",
          "MaxClients 64",
          "Allow 127.0.0.1",
          "DisableViaHeader Yes"));
      config.addAll(List.of(extraConfig));
      Path file = Files.write(directory.resolve("tinyproxy.conf"), config, StandardCharsets.UTF_8);
      Process process = new ProcessBuilder(Tools.find("tinyproxy").toString(), "-d", "-c", file.toString())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(directory.resolve("tinyproxy.out").toFile())
          .redirectErrorStream(true)
          .start();
      ForwardProxy proxy = new ForwardProxy(process, port, log);
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "stop tinyproxy"));
      try {
        await("tinyproxy listening on 127.0.0.1:" + port).atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> {
              if (!process.isAlive()) {
                throw new IllegalStateException("tinyproxy exited: "
                    + Tools.tail(directory.resolve("tinyproxy.out"), 2000) + Tools.tail(log, 2000));
              }
              return accepts(port);
            });
      } catch (RuntimeException e) {
        proxy.close();
        throw e;
      }
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("start tinyproxy in " + directory, e);
    }
  }

  private static boolean accepts(int port) {
    try {
      new Socket(InetAddress.getLoopbackAddress(), port).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** The request lines the proxy logged so far, in order. */
  public List<String> requests() {
    List<String> requests = new ArrayList<>();
    try {
      if (!Files.exists(log)) {
        return requests;
      }
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        Matcher matcher = REQUEST.matcher(line);
        if (matcher.find()) {
          requests.add(matcher.group(1).strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("read " + log, e);
    }
    return requests;
  }

  /** The proxy's log file. */
  public Path log() {
    return log;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
