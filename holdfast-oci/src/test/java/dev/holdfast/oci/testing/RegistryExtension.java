package dev.holdfast.oci.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that runs a real CNCF distribution registry ({@code docker-registry} from
 * PATH) on a free loopback port, with a generated config and storage in a temporary directory.
 *
 * <pre>{@code
 * @RegisterExtension static final RegistryExtension registry = RegistryExtension.plain();
 * }</pre>
 *
 * <p>Registered as a static field it runs once per test class (and is started again before a
 * test if an earlier test left it stopped); as an instance field, once per test. Several
 * instances in one class are independent registries. Modes: {@link #plain()}, {@link #tls()},
 * {@link #basicAuth()} (htpasswd over HTTPS), {@link #token()} / {@link
 * #tokenWithAnonymousPull()} (Bearer tokens from a {@link TokenServer}, plain HTTP); {@link
 * #builder()} for other combinations. Set the system property {@code holdfast.test.keepRegistryDirs}
 * to keep data directories for debugging.
 */
public final class RegistryExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private final RegistryMode mode;
  private final boolean tls;
  private final boolean anonymousPull;
  private final boolean clientCertificates;
  private final Duration startupTimeout;

  private Path dir;
  private Credentials credentials;
  private TestCa ca;
  private TokenServer tokenServer;
  private RegistryProcess process;
  private boolean classScoped;
  private volatile int requestBaseline;

  private RegistryExtension(Builder b) {
    this.mode = b.mode;
    this.tls = b.tls;
    this.anonymousPull = b.anonymousPull;
    this.clientCertificates = b.clientCertificates;
    this.startupTimeout = b.startupTimeout;
  }

  /** No authentication, plain HTTP. */
  public static RegistryExtension plain() {
    return builder().mode(RegistryMode.PLAIN).build();
  }

  /** No authentication, HTTPS with a CA generated for the run ({@link #ca()}). */
  public static RegistryExtension tls() {
    return builder().mode(RegistryMode.TLS).build();
  }

  /**
   * Basic authentication (bcrypt htpasswd) over HTTPS, the way real registries run it. (Registry
   * 2.8 and skopeo also accept Basic over plain HTTP: {@code builder().mode(BASIC_AUTH).tls(false)}.)
   */
  public static RegistryExtension basicAuth() {
    return builder().mode(RegistryMode.BASIC_AUTH).build();
  }

  /** Bearer token authentication, plain HTTP; anonymous callers get no token. */
  public static RegistryExtension token() {
    return builder().mode(RegistryMode.TOKEN).build();
  }

  /** Bearer token authentication, plain HTTP; anonymous callers get pull-only tokens. */
  public static RegistryExtension tokenWithAnonymousPull() {
    return builder().mode(RegistryMode.TOKEN).anonymousPull(true).build();
  }

  /** A builder; the default is {@link RegistryMode#PLAIN}. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- JUnit lifecycle -------------------------------------------------------------------------

  @Override
  public void beforeAll(ExtensionContext context) {
    classScoped = true;
    open();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!classScoped) {
      open();
    } else if (!process.isRunning()) {
      process.start(); // an earlier test stopped it
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!classScoped) {
      close();
    }
  }

  /** Starts everything; usable without JUnit too (then call {@link #close()}). */
  public synchronized void open() {
    if (process != null) {
      return;
    }
    Tools.find("docker-registry"); // fail first, and clearly, when the registry is missing
    boolean ok = false;
    try {
      dir = Files.createTempDirectory("holdfast-registry-");
      Path htpasswd = null;
      if (tls) {
        ca = TestCa.create(dir.resolve("tls"), clientCertificates);
      }
      if (mode == RegistryMode.BASIC_AUTH || mode == RegistryMode.TOKEN) {
        credentials = new Credentials("holdfast", "pw-" + UUID.randomUUID());
      }
      if (mode == RegistryMode.BASIC_AUTH) {
        htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, Tools.htpasswdLine(credentials), StandardCharsets.UTF_8);
      }
      if (mode == RegistryMode.TOKEN) {
        tokenServer = TokenServer.start(dir.resolve("token"), credentials, anonymousPull);
      }
      process = new RegistryProcess(new RegistryProcess.Settings(
          dir.resolve("registry"), ca, htpasswd, tokenServer, startupTimeout));
      process.startOnFreePort();
      ok = true;
    } catch (IOException e) {
      throw new UncheckedIOException("prepare a " + mode + " test registry", e);
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  /** Stops the registry and token server and deletes the data directory. */
  public synchronized void close() {
    try {
      if (process != null) {
        process.stop();
      }
      if (tokenServer != null) {
        tokenServer.close();
      }
    } finally {
      process = null;
      tokenServer = null;
      if (dir != null && !Boolean.getBoolean("holdfast.test.keepRegistryDirs")) {
        Tools.deleteTree(dir);
      }
    }
  }

  // ---- what tests use --------------------------------------------------------------------------

  /** The authentication mode. */
  public RegistryMode mode() {
    return mode;
  }

  /** True when the registry serves HTTPS. */
  public boolean isTls() {
    return tls;
  }

  /** {@code http} or {@code https}. */
  public String scheme() {
    return tls ? "https" : "http";
  }

  /** The port on 127.0.0.1. */
  public int port() {
    return running().port();
  }

  /** {@code 127.0.0.1:PORT}, the registry part of image references. */
  public String hostPort() {
    return "127.0.0.1:" + port();
  }

  /** {@code http(s)://127.0.0.1:PORT}. */
  public URI baseUri() {
    return running().baseUri();
  }

  /** The user allowed in (basic and token modes); throws in the other modes. */
  public Credentials credentials() {
    if (credentials == null) {
      throw new IllegalStateException("a " + mode + " test registry has no credentials");
    }
    return credentials;
  }

  /** True in the modes with credentials. */
  public boolean requiresCredentials() {
    return mode == RegistryMode.BASIC_AUTH || mode == RegistryMode.TOKEN;
  }

  /** The test CA (TLS only); throws for plain HTTP. */
  public TestCa ca() {
    if (ca == null) {
      throw new IllegalStateException("a plain-HTTP " + mode + " test registry has no CA");
    }
    return ca;
  }

  /** The token server (token mode only); throws in the other modes. */
  public TokenServer tokenServer() {
    if (tokenServer == null) {
      throw new IllegalStateException("a " + mode + " test registry has no token server");
    }
    return tokenServer;
  }

  /** The registry's root directory (config, logs, storage). */
  public Path dataDir() {
    return running().configFile().getParent();
  }

  /** The storage root ({@code docker/registry/v2/...} below it). */
  public Path storageDir() {
    return running().storageDir();
  }

  /**
   * The file that holds a blob's bytes in the registry's storage (for tests that damage it: the
   * registry serves it as it is).
   */
  public Path blobDataFile(String digest) {
    String hex = digest.substring("sha256:".length());
    return storageDir().resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex)
        .resolve("data");
  }

  /** The generated configuration file. */
  public Path configFile() {
    return running().configFile();
  }

  /** The registry's own log (stderr), appended across restarts. */
  public Path logFile() {
    return running().logFile();
  }

  /** The access log (stdout), appended across restarts. */
  public Path accessLogFile() {
    return running().accessLogFile();
  }

  /** Whether the process runs. */
  public boolean isRunning() {
    return process != null && process.isRunning();
  }

  /** Stops the registry (SIGTERM); port, config and storage are kept for {@link #start()}. */
  public void stop() {
    running().stop();
  }

  /** Kills the registry (SIGKILL), like a crash; {@link #start()} brings it back. */
  public void kill() {
    running().kill();
  }

  /** Starts the registry again on the same port with the same storage; no-op when running. */
  public void start() {
    running().start();
  }

  /**
   * The requests the registry served since start (or {@link #clearRequests()}), read from the
   * access log, without the harness's own readiness probes. The registry writes a line once the
   * response is sent, so wait (Awaitility) for a request you expect to appear.
   */
  public List<RegistryRequest> requests() {
    List<RegistryRequest> all = readAccessLog();
    return all.subList(Math.min(requestBaseline, all.size()), all.size()).stream()
        .filter(r -> !r.userAgent().equals(RegistryProcess.PROBE_AGENT))
        .toList();
  }

  /** Makes {@link #requests()} forget what was served so far. */
  public void clearRequests() {
    requestBaseline = readAccessLog().size();
  }

  /** An image in this registry, e.g. {@code image("demo/app:v1")}, for {@link Skopeo}. */
  public RegistryImage image(String repositoryAndTagOrDigest) {
    return RegistryImage.of(this, repositoryAndTagOrDigest);
  }

  /** An HttpClient that trusts the test CA (if any); it sends no credentials by itself. */
  public HttpClient httpClient() {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (tls) {
      b.sslContext(ca.sslContext());
    }
    return b.build();
  }

  @Override
  public String toString() {
    return "RegistryExtension[" + mode + (tls ? ", https://" : ", http://")
        + (process == null ? "not started" : "127.0.0.1:" + process.port()) + "]";
  }

  private RegistryProcess running() {
    if (process == null) {
      throw new IllegalStateException("the " + mode + " test registry is not open; register it"
          + " with @RegisterExtension (static for per-class) or call open()");
    }
    return process;
  }

  private List<RegistryRequest> readAccessLog() {
    Path log = running().accessLogFile();
    try {
      return Files.exists(log)
          ? RegistryRequest.parseAll(Files.readString(log, StandardCharsets.UTF_8)) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("read access log " + log, e);
    }
  }

  /** Configures a {@link RegistryExtension}. */
  public static final class Builder {
    private RegistryMode mode = RegistryMode.PLAIN;
    private Boolean tls;
    private boolean anonymousPull;
    private boolean clientCertificates;
    private Duration startupTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** The mode; TLS defaults to on for TLS and BASIC_AUTH, off for PLAIN and TOKEN. */
    public Builder mode(RegistryMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Overrides the TLS default of the mode (PLAIN cannot use TLS, TLS cannot go without). */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /** Token mode: whether anonymous callers get pull-only tokens (default false). */
    public Builder anonymousPull(boolean anonymousPull) {
      this.anonymousPull = anonymousPull;
      return this;
    }

    /**
     * Whether the registry requires a client certificate signed by its CA (mutual TLS; default
     * false); the CA's {@link TestCa#certDir()} then holds one.
     */
    public Builder clientCertificates(boolean clientCertificates) {
      this.clientCertificates = clientCertificates;
      return this;
    }

    /** How long to wait for {@code /v2/} to answer (default 30 s). */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The extension (nothing runs until JUnit calls it, or {@link #open()}). */
    public RegistryExtension build() {
      boolean defaultTls = mode == RegistryMode.TLS || mode == RegistryMode.BASIC_AUTH;
      boolean effective = Optional.ofNullable(tls).orElse(defaultTls);
      if (mode == RegistryMode.PLAIN && effective || mode == RegistryMode.TLS && !effective) {
        throw new IllegalArgumentException("mode " + mode + " with tls=" + effective
            + " is contradictory; use mode TLS for an unauthenticated HTTPS registry");
      }
      if (clientCertificates && !effective) {
        throw new IllegalArgumentException("client certificates need TLS; mode " + mode + " is plain HTTP");
      }
      if (anonymousPull && mode != RegistryMode.TOKEN) {
        throw new IllegalArgumentException("anonymousPull applies to mode TOKEN only, not " + mode);
      }
      this.tls = effective;
      return new RegistryExtension(this);
    }
  }
}
