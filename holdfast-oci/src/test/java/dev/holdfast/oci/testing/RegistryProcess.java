package dev.holdfast.oci.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@code docker-registry serve CONFIG} process: writes the config, starts the process, waits
 * until {@code /v2/} answers and stops it. Restarts reuse port, config and storage.
 */
final class RegistryProcess {

  static final String PROBE_AGENT = "holdfast-test-harness-probe";
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // Safety net: no registry outlives the test JVM, even when afterAll never runs.
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> LIVE.forEach(Process::destroyForcibly), "holdfast-registry-reaper"));
  }

  /** Everything the config needs; {@code htpasswd} and {@code token} are null when unused. */
  record Settings(Path dataDir, TestCa ca, Path htpasswd, TokenServer token, Duration timeout) {}

  private final Settings settings;
  private final Path binary;
  private HttpClient probe;
  private int port;
  private Process process;

  RegistryProcess(Settings settings) {
    this.settings = settings;
    this.binary = Tools.find("docker-registry");
    this.probe = probeClient();
  }

  // Made again at each start, so that a rotated CA (TestCa.rotate) is trusted.
  private HttpClient probeClient() {
    HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
    if (settings.ca() != null) {
      http.sslContext(settings.ca().sslContext());
    }
    return http.build();
  }

  int port() {
    return port;
  }

  boolean tls() {
    return settings.ca() != null;
  }

  URI baseUri() {
    return URI.create((tls() ? "https" : "http") + "://127.0.0.1:" + port);
  }

  Path configFile() {
    return settings.dataDir().resolve("registry.yml");
  }

  Path logFile() {
    return settings.dataDir().resolve("registry.log");
  }

  Path accessLogFile() {
    return settings.dataDir().resolve("access.log");
  }

  Path storageDir() {
    return settings.dataDir().resolve("storage");
  }

  synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** First start: picks a free port; retries with another one when that port got taken. */
  synchronized void startOnFreePort() {
    for (int attempt = 1; ; attempt++) {
      try {
        startOn(freePort());
        return;
      } catch (IllegalStateException e) {
        if (attempt >= 3 || !Tools.tail(logFile(), 4000).contains("address already in use")) {
          throw e;
        }
      }
    }
  }

  /** First start on a given port. */
  synchronized void startOn(int port) {
    this.port = port;
    start();
  }

  /** (Re)starts on the current port with the same config and storage; no-op when running. */
  synchronized void start() {
    if (isRunning()) {
      return;
    }
    try {
      Files.createDirectories(storageDir());
      Files.writeString(configFile(), config());
      ProcessBuilder pb = new ProcessBuilder(binary.toString(), "serve", configFile().toString())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(accessLogFile().toFile()))
          .redirectError(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
      process = pb.start();
      LIVE.add(process);
    } catch (IOException e) {
      throw new UncheckedIOException("start " + binary + " for " + baseUri(), e);
    }
    probe = probeClient();
    awaitReady();
  }

  /**
   * Probes {@code /v2/} until it answers 200/401, the process exits, or the timeout passes.
   * Between probes it waits on the process's exit (not a sleep), so a crash is seen at once. No
   * Awaitility here: modules that use the test-jar need not depend on it.
   */
  private void awaitReady() {
    Process p = process;
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    boolean ready = false;
    while (!ready && p.isAlive() && System.nanoTime() < deadline) {
      ready = answers();
      if (!ready) {
        try {
          p.onExit().get(50, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
          // probe again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stop();
          throw new IllegalStateException("interrupted while starting registry " + baseUri(), e);
        } catch (ExecutionException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    if (!p.isAlive()) {
      LIVE.remove(p);
      process = null;
      throw new IllegalStateException("registry for " + baseUri() + " exited with code "
          + p.exitValue() + " during startup; log " + logFile() + ":\n" + Tools.tail(logFile(), 3000));
    }
    if (!ready) {
      stop();
      throw new IllegalStateException("registry " + baseUri() + " did not answer GET /v2/ with"
          + " 200 or 401 within " + settings.timeout() + "; log " + logFile() + ":\n"
          + Tools.tail(logFile(), 3000));
    }
  }

  private boolean answers() {
    try {
      HttpResponse<Void> r = probe.send(
          HttpRequest.newBuilder(baseUri().resolve("/v2/")).timeout(Duration.ofSeconds(2))
              .header("User-Agent", PROBE_AGENT).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200 || r.statusCode() == 401;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGTERM, then SIGKILL after 10 s; waits until the process is gone. No-op when stopped. */
  synchronized void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    try {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(p);
      process = null;
    }
  }

  /** SIGKILL, like a crash; waits until the process is gone. */
  synchronized void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    try {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(p);
      process = null;
    }
  }

  /** The registry configuration (https://distribution.github.io/distribution/about/configuration/). */
  String config() {
    StringBuilder y = new StringBuilder();
    y.append("# generated by the Holdfast test harness\n")
        .append("version: 0.1\n")
        .append("log:\n  level: info\n  formatter: text\n  accesslog:\n    disabled: false\n")
        .append("storage:\n  filesystem:\n    rootdirectory: ").append(q(storageDir())).append('\n')
        .append("  delete:\n    enabled: true\n")
        .append("  cache:\n    blobdescriptor: inmemory\n")
        .append("  maintenance:\n    uploadpurging:\n      enabled: false\n")
        .append("http:\n  addr: ").append(q("127.0.0.1:" + port)).append('\n')
        // fixed secret: upload session state stays valid across restarts
        .append("  secret: ").append(q("holdfast-test-secret-" + port)).append('\n')
        .append("  headers:\n    X-Content-Type-Options: [nosniff]\n");
    if (settings.ca() != null) {
      y.append("  tls:\n    certificate: ").append(q(settings.ca().serverCert())).append('\n')
          .append("    key: ").append(q(settings.ca().serverKey())).append('\n');
      if (settings.ca().requiresClientCertificate()) {
        y.append("    clientcas:\n      - ").append(q(settings.ca().caFile())).append('\n');
      }
    }
    if (settings.htpasswd() != null) {
      y.append("auth:\n  htpasswd:\n    realm: holdfast-test-registry\n    path: ")
          .append(q(settings.htpasswd())).append('\n');
    }
    TokenServer token = settings.token();
    if (token != null) {
      y.append("auth:\n  token:\n    realm: ").append(q(token.realm())).append('\n')
          .append("    service: ").append(q(token.service())).append('\n')
          .append("    issuer: ").append(q(token.issuer())).append('\n')
          .append("    rootcertbundle: ").append(q(token.signingCertificate())).append('\n');
    }
    return y.toString();
  }

  /** A YAML double-quoted scalar (JSON strings are valid YAML). */
  private static String q(Object value) {
    try {
      return JSON.writeValueAsString(value.toString());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("find a free loopback port", e);
    }
  }
}
