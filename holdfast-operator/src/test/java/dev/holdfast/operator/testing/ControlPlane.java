package dev.holdfast.operator.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real control plane (etcd, kube-apiserver, kube-controller-manager) started by {@code bin/testenv
 * up} for this test JVM, once, and stopped by a shutdown hook; {@code bin/testenv}'s watchdog stops it
 * too if the JVM dies without running its hooks. The binaries come from {@code bin/testenv build};
 * when they are missing, {@link #shared()} fails with {@code bin/testenv}'s message, which names them.
 */
public final class ControlPlane {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static ControlPlane shared;
  private static RuntimeException startFailure;

  private final Path root;
  private final Path dir;
  private final Path kubeconfig;
  private final Duration startTime;

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
