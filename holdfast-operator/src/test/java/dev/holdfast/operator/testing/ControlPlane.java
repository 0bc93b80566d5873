package dev.holdfast.operator.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real control plane (etcd, kube-apiserver, kube-controller-manager) started by {@code bin/testenv
 * up} for this test JVM, once, and stopped by a shutdown hook; {@code bin/testenv}'s watchdog stops it
 * too if the JVM dies without running its hooks. The binaries come from {@code bin/testenv build};
 * when they are missing, {@link #shared()} fails with {@code bin/testenv}'s message, which names them.
 * A test that restarts the API server or compacts etcd starts one of its own ({@link #startOwn()}).
 */
public final class ControlPlane {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static ControlPlane shared;
  private static RuntimeException startFailure;

  private final Path root;
  private final Path dir;
  private final Path kubeconfig;
  private final Duration startTime;
  private boolean own;

  private ControlPlane(Path root, Path dir, Duration startTime) {
    this.root = root;
    this.dir = dir;
    this.kubeconfig = dir.resolve("kubeconfig");
    this.startTime = startTime;
  }

  /** The control plane of this JVM, started on first use. A failed start fails every later call too. */
  public static synchronized ControlPlane shared() {
    if (startFailure != null) {
      throw startFailure;
    }
    if (shared == null) {
      try {
        shared = start();
      } catch (RuntimeException e) {
        startFailure = e;
        throw e;
      }
    }
    return shared;
  }

  /**
   * A control plane of its own, for a test that restarts or disturbs it ({@link #restartApiServer()},
   * {@link #compactEtcd()}) and so must not share it; the caller stops it ({@link #stop()}), a
   * shutdown hook does otherwise.
   */
  public static ControlPlane startOwn() {
    ControlPlane plane = start();
    plane.own = true;
    return plane;
  }

  private static ControlPlane start() {
    Path root = findRepositoryRoot();
    Path dir;
    try {
      // a module's target directory in the build, the temporary directory elsewhere (a benchmark)
      Path target = Path.of("target").toAbsolutePath();
      Path base = Files.isDirectory(target) ? target : Path.of(System.getProperty("java.io.tmpdir"));
      dir = Files.createTempDirectory(base, "holdfast-testenv-");
    } catch (IOException e) {
      throw new UncheckedIOException("create a directory for the control plane", e);
    }
    Instant started = Instant.now();
    Result up = run(root, START_TIMEOUT, "up", "--dir", dir.toString(),
        "--watch-pid", Long.toString(ProcessHandle.current().pid()));
    if (up.exitCode != 0) {
      throw new IllegalStateException("the test needs a Kubernetes control plane, and `bin/testenv up` failed:\n"
          + up.output.strip() + "\n(build the binaries once with bin/testenv build; .ci/run does)");
    }
    ControlPlane plane = new ControlPlane(root, dir, Duration.between(started, Instant.now()));
    Runtime.getRuntime().addShutdownHook(new Thread(plane::stop, "testenv-down"));
    return plane;
  }

  /** Stops the control plane (the shutdown hook does it at the end of the JVM). */
  public void stop() {
    run(root, Duration.ofSeconds(30), "down", "--dir", dir.toString());
  }

  /**
   * Stops the API server and starts it again on the same port with the same flags ({@code bin/testenv
   * restart kube-apiserver}); returns once it answers {@code /readyz} again, with how long it was
   * away. Only on a control plane of its own ({@link #startOwn()}).
   */
  public Duration restartApiServer() {
    if (!own) {
      throw new IllegalStateException("the shared control plane is not restarted: use ControlPlane.startOwn()");
    }
    Instant started = Instant.now();
    Result restart = run(root, START_TIMEOUT, "restart", "kube-apiserver", "--dir", dir.toString());
    if (restart.exitCode != 0) {
      throw new IllegalStateException("bin/testenv restart kube-apiserver failed:\n" + restart.output.strip());
    }
    return Duration.between(started, Instant.now());
  }

  /** etcd's client URL ({@code http://127.0.0.1:PORT}), from {@code bin/testenv}'s endpoints file. */
  public URI etcdUrl() {
    try {
      return Files.readAllLines(dir.resolve("endpoints"), StandardCharsets.UTF_8).stream()
          .filter(line -> line.startsWith("etcd ")).map(line -> URI.create(line.substring(5).strip()))
          .findFirst().orElseThrow(() -> new IllegalStateException(dir.resolve("endpoints") + " names no etcd"));
    } catch (IOException e) {
      throw new UncheckedIOException("read " + dir.resolve("endpoints"), e);
    }
  }

  /**
   * Compacts etcd's history up to its current revision, as the API server does every five minutes,
   * through etcd's gRPC gateway ({@code POST /v3/kv/compaction}); returns that revision. A watch
   * from an older resourceVersion that the API server cannot serve from its cache is then answered
   * 410 Gone. Only on a control plane of its own.
   */
  public long compactEtcd() {
    if (!own) {
      throw new IllegalStateException("the shared control plane is not compacted: use ControlPlane.startOwn()");
    }
    HttpClient http = HttpClient.newHttpClient();
    try {
      // a range over a key nobody has: the answer's header holds the current revision
      String range = post(http, "/v3/kv/range", "{\"key\":\"AA==\"}");
      Matcher revision = Pattern.compile("\"revision\":\"(\\d+)\"").matcher(range);
      if (!revision.find()) {
        throw new IllegalStateException("etcd's answer names no revision: " + range);
      }
      long current = Long.parseLong(revision.group(1));
      post(http, "/v3/kv/compaction", "{\"revision\":\"" + current + "\",\"physical\":true}");
      return current;
    } catch (IOException e) {
      throw new UncheckedIOException("compact etcd at " + etcdUrl(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while compacting etcd", e);
    }
  }

  private String post(HttpClient http, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(etcdUrl().resolve(path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("etcd answered " + response.statusCode() + " to " + path + ": " + response.body());
    }
    return response.body();
  }

  /** The admin kubeconfig (a client certificate in {@code system:masters}). */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** The admin client configuration. */
  public Config config() {
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfig, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("read " + kubeconfig, e);
    }
  }

  /** A new admin client; the caller closes it. */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  /** The API server's URL. */
  public String apiServerUrl() {
    return config().getMasterUrl();
  }

  /** How long {@code bin/testenv up} took. */
  public Duration startTime() {
    return startTime;
  }

  /** The directory of this control plane: kubeconfig, certs, logs. */
  public Path directory() {
    return dir;
  }

  /** A log of a component: {@code etcd}, {@code kube-apiserver}, {@code kube-controller-manager}. */
  public Path log(String component) {
    return dir.resolve("logs").resolve(component + ".log");
  }

  /** A built tool of {@code bin/testenv build}: {@code kubectl}, {@code helm}. */
  public Path tool(String name) {
    Result path = run(root, Duration.ofSeconds(30), "path", name);
    if (path.exitCode != 0) {
      throw new IllegalStateException(path.output.strip());
    }
    return Path.of(path.output.strip());
  }

  /** The repository's root, where {@code bin/testenv} is. */
  public Path repositoryRoot() {
    return root;
  }

  static Path findRepositoryRoot() {
    String property = System.getProperty("holdfast.root");
    if (property != null && Files.isExecutable(Path.of(property, "bin", "testenv"))) {
      return Path.of(property);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isExecutable(p.resolve("bin").resolve("testenv"))) {
        return p;
      }
    }
    throw new IllegalStateException("bin/testenv was not found above " + Path.of("").toAbsolutePath()
        + " (set -Dholdfast.root to the repository)");
  }

  private record Result(int exitCode, String output) {}

  private static Result run(Path root, Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add(root.resolve("bin").resolve("testenv").toString());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "bin/testenv " + String.join(" ", args) + " timed out after " + timeout);
      }
      return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    }
  }
}
