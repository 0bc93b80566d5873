package dev.holdfast.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import java.io.IOException;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's image as Jib builds it: Maven's {@code test-image} execution built it offline, in
 * {@code pre-integration-test}, from a base the harness made (a JRE jlinked from the build's JDK and
 * the libraries it loads; {@code src/test/sh/test-base-image.sh}). This test unpacks its layers, as
 * a container runtime would, and runs its entrypoint with the image's user and environment, on a
 * read-only root file system (a bind mount remounted read-only, in a mount namespace of its own),
 * the way a Pod of the chart runs it.
 */
class ImageIT {
  private static final Path IMAGE = Path.of("target/test-image/image.tar").toAbsolutePath();
  private static final String VERSION = System.getProperty("holdfast.version");
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @TempDir static Path work;

  static JsonNode config;
  static Path rootfs;

  @BeforeAll
  static void unpack() throws Exception {
    assertThat(IMAGE).as("the test image (built by the test-image execution, pre-integration-test)").exists();
    Path layout = Files.createDirectories(work.resolve("layout"));
    run(List.of("tar", "-C", layout.toString(), "-xf", IMAGE.toString()), Map.of(), Duration.ofMinutes(1));
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    JsonNode manifest = JSON.readTree(blob(layout, index.path("manifests").get(0).path("digest").asText()).toFile());
    config = JSON.readTree(blob(layout, manifest.path("config").path("digest").asText()).toFile());
    rootfs = Files.createDirectories(work.resolve("rootfs"));
    for (JsonNode layer : manifest.path("layers")) {
      assertThat(layer.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
      run(List.of("tar", "-C", rootfs.toString(), "-xzf", blob(layout, layer.path("digest").asText()).toString()),
          Map.of(), Duration.ofMinutes(1));
    }
    // what a container runtime adds: /proc, and /etc/hosts and /etc/hostname bind-mounted
    Files.createDirectories(rootfs.resolve("proc"));
    Files.writeString(rootfs.resolve("etc/hosts"), "127.0.0.1 localhost\n127.0.0.1 holdfast-0\n");
    Files.writeString(rootfs.resolve("etc/hostname"), "holdfast-0\n");
  }

  private static Path blob(Path layout, String digest) {
    return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
  }

  @Test
  void theConfigNamesANonRootUserTheEntrypointTheLabelsAndThePorts() {
    JsonNode container = config.path("config");
    assertThat(container.path("User").asText()).isEqualTo("65532:65532");
    assertThat(strings(container.path("Entrypoint"))).startsWith("java", "-XX:MaxRAMPercentage=50.0",
        "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData").endsWith("dev.holdfast.cli.Main");
    assertThat(strings(container.path("Cmd"))).containsExactly("operator");
    assertThat(container.path("ExposedPorts").has("8080/tcp")).isTrue();
    assertThat(container.path("ExposedPorts").has("9443/tcp")).isTrue();
    JsonNode labels = container.path("Labels");
    assertThat(labels.path("org.opencontainers.image.version").asText()).isEqualTo(VERSION);
    assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo("Holdfast");
    assertThat(labels.path("org.opencontainers.image.base.name").asText()).isEqualTo("holdfast-test-base");
    assertThat(labels.has("org.opencontainers.image.revision")).isTrue();
    assertThat(labels.path("org.opencontainers.image.description").asText()).isNotBlank();
  }

  @Test
  void theAppLayerHoldsTheHoldfastJarOnceOwnedByRoot() throws IOException {
    List<Path> jars;
    try (var files = Files.walk(rootfs.resolve("app"))) {
      jars = files.filter(p -> p.toString().endsWith(".jar")).toList();
    }
    assertThat(jars).as("the shaded holdfast jar alone").hasSize(1);
    assertThat(Files.readString(rootfs.resolve("app/jib-classpath-file"))).contains(jars.get(0).getFileName().toString());
    assertThat(Files.getOwner(jars.get(0)).getName()).as("not the image's user: it cannot change its code").isEqualTo("root");
  }

  @Test
  void theEntrypointPrintsTheVersionAndTheOperatorsHelpAsItsUserOnAReadOnlyRoot() throws Exception {
    Result version = runImage(List.of("--version"), Duration.ofMinutes(1));
    assertThat(version.exitCode()).as(version.output()).isZero();
    assertThat(version.output()).contains(VERSION);

    Result help = runImage(List.of("operator", "--help"), Duration.ofMinutes(1));
    assertThat(help.exitCode()).as(help.output()).isZero();
    assertThat(help.output()).contains("--registry", "--webhook-port", "--owner-clusterrole");

    // the root is read-only indeed, for the image's user and for root alike
    Result write = runAs("0:0", List.of("/opt/java/openjdk/bin/java", "-XX:-UsePerfData", "-XX:+AutoCreateSharedArchive",
        "-XX:SharedArchiveFile=/app/probe.jsa", "-version"), Duration.ofMinutes(1));
    assertThat(Files.exists(rootfs.resolve("app/probe.jsa"))).as(write.output()).isFalse();
  }

  @Test
  void theOperatorStartsFromTheImageAndAnswersReadyz() throws Exception {
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd)));
    }
    // the kubeconfig goes where a volume would be mounted, before the root turns read-only
    Path secrets = Files.createDirectories(rootfs.resolve("etc/holdfast"));
    Files.copy(kube.plane().kubeconfig(), secrets.resolve("kubeconfig"));
    Files.setPosixFilePermissions(secrets.resolve("kubeconfig"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    int port = freePort();
    Instant started = Instant.now();
    Process operator = startImage(List.of("operator", "--kubeconfig=/etc/holdfast/kubeconfig",
        "--namespace=" + kube.namespace(), "--no-leader-elect", "--metrics-address=127.0.0.1:" + port),
        work.resolve("operator.log"));
    try {
      HttpClient http = HttpClient.newHttpClient();
      kube.await("the operator in the image answers /readyz", () -> {
        try {
          return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      });
      System.out.printf("ImageIT: the operator in the image was ready after %d ms%n",
          Duration.between(started, Instant.now()).toMillis());
      assertThat(operator.isAlive()).isTrue();
      // /readyz answers as soon as the controllers run; the start is logged just after
      kube.await("the start is logged", () -> {
        try {
          return Files.readString(work.resolve("operator.log")).contains("Holdfast operator started");
        } catch (IOException e) {
          return false;
        }
      });
    } finally {
      operator.destroy();
      operator.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(Files.readString(work.resolve("operator.log"))).contains("Holdfast operator started (namespace "
        + kube.namespace() + ", identity holdfast-0");
  }

  private static int freePort() throws IOException {
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  private static Map<String, String> imageEnvironment() {
    Map<String, String> env = new TreeMap<>();
    config.path("config").path("Env").forEach(e -> {
      String[] kv = e.asText().split("=", 2);
      env.put(kv[0], kv[1]);
    });
    return env;
  }

  // unshare: a mount namespace where the root file system is bind-mounted read-only with /proc (which
  // the JVM's launcher reads to find its libraries), and a PID namespace killed with this process
  private static List<String> command(String user, List<String> args) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--pid", "--fork", "--kill-child",
        "/bin/bash", "-c", "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\""
            + " && mount -t proc proc \"$1/proc\" && exec /usr/sbin/chroot --userspec=\"$2\" \"$1\" \"${@:3}\"",
        "image", rootfs.toString(), user));
    command.addAll(args);
    return command;
  }

  private static List<String> entrypoint(List<String> args) {
    List<String> all = new ArrayList<>(strings(config.path("config").path("Entrypoint")));
    all.addAll(args);
    return all;
  }

  private static Result runImage(List<String> args, Duration timeout) throws Exception {
    return runAs(config.path("config").path("User").asText(), entrypoint(args), timeout);
  }

  private static Result runAs(String user, List<String> args, Duration timeout) throws Exception {
    return run(command(user, args), imageEnvironment(), timeout);
  }

  private static Process startImage(List<String> args, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command(config.path("config").path("User").asText(), entrypoint(args)))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().putAll(imageEnvironment());
    builder.environment().put("POD_NAME", "holdfast-0"); // as the chart's Deployment sets them
    builder.environment().put("POD_NAMESPACE", kube.namespace());
    return builder.start();
  }

  record Result(int exitCode, String output) {}

  private static Result run(List<String> command, Map<String, String> env, Duration timeout) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (!env.isEmpty()) {
      builder.environment().clear();
      builder.environment().putAll(env);
    }
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("%s finished", command).isTrue();
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
