package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.testing.ForwardProxy;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/holdfast, the launcher that the README's first command runs, with the JDK these tests run
 * on. It runs in a Surefire execution of its own after {@code package}, so the jar it starts is
 * the one this build made. Its JVM options must not print anything (that would break {@code
 * --output json}); on JDK 25 and newer the ahead-of-time cache that the build wrote must not be
 * empty. It works symlinked into PATH and from a read-only checkout, leaves no temporary files, and
 * a Ctrl-C (SIGINT) ends it cleanly while it builds and while it copies.
 */
class LauncherIT {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path LAUNCHER = ROOT.resolve("bin/holdfast");
  private static final Path SAMPLES = ROOT.resolve("examples/upstream");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one run of the launcher printed, and its exit code. */
  record Launch(int exitCode, String out, String err) {}

  private static Launch first;

  @RegisterExtension static final RegistryExtension registry = RegistryExtension.plain();

  @TempDir Path work;

  /** The first run after the build. */
  @BeforeAll
  static void firstRun() throws Exception {
    assertThat(ROOT.resolve("holdfast-cli/target/holdfast.jar"))
        .as("the jar of this build (the launcher would build it otherwise)").isRegularFile();
    first = launch("--version");
    assertThat(first.exitCode()).as(first.err()).isZero();
  }

  @Test
  void versionPrintsTheVersionAndNothingElse() throws Exception {
    Launch run = launch("--version");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).matches("holdfast \\S+\nJava \\S+.*\n");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void theReadmeMainJobCopiesTheSamplesAndItsJsonOutputParses() throws Exception {
    Path out = work.resolve("copies");

    Launch run = launch("sync", "--from", "oci:examples/upstream", "--to", "oci:" + out, "--output", "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode report = JSON.readTree(run.out());
    assertThat(report.path("summary").path("copied").asInt()).isEqualTo(2);
    assertThat(report.path("summary").path("failed").asInt()).isZero();
    // stderr carries the progress lines of a non-terminal run, and nothing from the JVM
    assertThat(run.err().lines()).hasSize(2).allMatch(line -> line.startsWith("copied "));

    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    JsonNode samples = JSON.readTree(SAMPLES.resolve("index.json").toFile());
    for (JsonNode sample : samples.path("manifests")) {
      String name = sample.path("annotations").path("org.opencontainers.image.ref.name").asText();
      Skopeo.Result raw = skopeo.run(List.of("inspect", "--raw", "oci:" + out + ":" + name));
      assertThat(raw.exitCode()).as(raw.stderr()).isZero();
      assertThat(Digest.sha256(raw.stdoutBytes())).as(name).hasToString(sample.path("digest").asText());
    }

    Launch again = launch("sync", "--from", "oci:examples/upstream", "--to", "oci:" + out, "--output", "json");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(JSON.readTree(again.out()).path("summary").path("alreadyPresent").asInt()).isEqualTo(2);
  }

  @Test
  void theBuildWroteTheAheadOfTimeCacheOnJdk25AndNewer() {
    Path cache = ROOT.resolve("holdfast-cli/target/holdfast.aot");
    if (Runtime.version().feature() >= 25) {
      assertThat(cache).isRegularFile();
      assertThat(cache.toFile().length()).as("size of " + cache).isGreaterThan(1024 * 1024);
    } else {
      assertThat(first.err()).as("below JDK 25 there is no cache to train").doesNotContain("training");
    }
  }

  @Test
  void aCopyStoppedByASignalSaysHowFarItGot() throws Exception {
    Path stderr = work.resolve("stderr");
    // a "registry" that takes the connection and never answers: the copy waits on its first request
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Process process = builder("copy", "docker://127.0.0.1:" + silent.getLocalPort() + "/app:1",
          "oci:" + work.resolve("out") + ":v1").redirectOutput(work.resolve("stdout").toFile())
          .redirectError(stderr.toFile()).start();
      try (Socket held = silent.accept()) {
        process.destroy(); // SIGTERM: bin/holdfast execs the JVM, so this is the JVM's pid
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
      } finally {
        process.destroyForcibly();
      }
      assertThat(process.exitValue()).isEqualTo(128 + 15);
    }
    assertThat(Files.readString(stderr)).contains("holdfast copy: stopped before the end: 0 of 1 images done;"
        + " the 1 not done has no tag at the destination");
    assertThat(work.resolve("out")).doesNotExist();
  }


  @Test
  void javaJarOnAJavaOlderThan21SaysInOneLineThat21IsNeeded() throws Exception {
    Path old = olderJava();
    ProcessBuilder builder = new ProcessBuilder(old.toString(), "-jar",
        ROOT.resolve("holdfast-cli/target/holdfast.jar").toString(), "--version");

    Launch run = launch(builder);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines().toList()).singleElement().asString()
        .startsWith("holdfast needs Java 21 or newer; this is Java ")
        .doesNotContain("UnsupportedClassVersionError");
  }

  /** A java below 21 under /usr/lib/jvm (Debian's default java 17 on the project's machines). */
  private static Path olderJava() throws IOException {
    try (var homes = Files.list(Path.of("/usr/lib/jvm"))) {
      Optional<Path> found = homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
          .filter(home -> featureOf(home) > 0 && featureOf(home) < 21)
          .map(home -> home.resolve("bin/java")).findFirst();
      assumeTrue(found.isPresent(), "no JDK older than 21 under /usr/lib/jvm to run the jar with");
      return found.get();
    }
  }

  private static int featureOf(Path home) {
    try {
      for (String line : Files.readAllLines(home.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          return Integer.parseInt(version.split("[.+-]")[0].equals("1") ? version.split("[.]")[1]
              : version.split("[.+-]")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  // ---- where it runs from --------------------------------------------------------------------

  @Test
  void itWorksSymlinkedIntoPath() throws Exception {
    Path bin = Files.createDirectories(work.resolve("usr-local-bin"));
    Files.createSymbolicLink(bin.resolve("holdfast"), LAUNCHER);
    ProcessBuilder builder = new ProcessBuilder("bash", "-c", "exec holdfast --version").directory(work.toFile());
    builder.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));

    Launch run = launch(builder);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("holdfast ");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void itRunsTheBuiltJarFromAReadOnlyCheckoutAndLeavesNoTemporaryFiles() throws Exception {
    Path checkout = work.resolve("read-only");
    copyCheckout(checkout, true);
    sh("chmod -R a-w,a+rX " + checkout);
    Path tmp = Files.createDirectories(work.resolve("tmp"));
    Path out = Files.createDirectories(work.resolve("out"));
    sh("chmod 777 " + tmp + " " + out + " && chmod a+rx " + work);

    // as root, permissions do not stop writes: run as nobody, who cannot write to the checkout
    List<String> asUser = isRoot() ? List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups") : List.of();
    List<String> sync = new ArrayList<>(asUser);
    sync.addAll(List.of("bash", checkout.resolve("bin/holdfast").toString(), "sync",
        "--from", "oci:" + checkout.resolve("examples/upstream"), "--to", "oci:" + out.resolve("copies")));
    ProcessBuilder builder = new ProcessBuilder(sync).directory(out.toFile());
    builder.environment().put("TMPDIR", tmp.toString());
    builder.environment().put("HOLDFAST_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);

    Launch run = launch(builder);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("2 images: 2 copied");
    assertThat(run.err()).doesNotContain("building").doesNotContain("warning");
    try (var left = Files.list(tmp)) {
      assertThat(left).as("files left in TMPDIR").isEmpty();
    }
  }

  // ---- proxies, as the environment names them ---------------------------------------------------

  @Test
  void theProxyThatHttpProxyNamesCarriesTheCopyAndNoProxyBypassesIt() throws Exception {
    WrittenImage image = SyntheticImage.builder().seed(191).layers(1).layerSize(20_000).build()
        .writeTo(work.resolve("seed"), "small");
    Skopeo.create(work.resolve("skopeo")).push(image, registry.image("env-proxy/app:1"));
    String source = "docker://" + registry.hostPort() + "/env-proxy/app:1";
    try (ForwardProxy proxy = ForwardProxy.start(work.resolve("proxy"))) {
      ProcessBuilder proxied = builder("copy", source, "oci:" + work.resolve("proxied") + ":app");
      proxied.environment().put("HTTP_PROXY", proxy.url());
      Launch through = launch(proxied);
      assertThat(through.exitCode()).as(through.err()).isZero();
      assertThat(proxy.requests())
          .contains("GET http://" + registry.hostPort() + "/v2/env-proxy/app/manifests/1 HTTP/1.1");

      int seen = proxy.requests().size();
      ProcessBuilder direct = builder("copy", source, "oci:" + work.resolve("direct") + ":app");
      direct.environment().put("http_proxy", proxy.url());
      direct.environment().put("no_proxy", "localhost,127.0.0.1");
      Launch bypass = launch(direct);
      assertThat(bypass.exitCode()).as(bypass.err()).isZero();
      assertThat(proxy.requests()).hasSize(seen);
    }
  }

  // ---- Ctrl-C ----------------------------------------------------------------------------------

  @Test
  void ctrlCWhileItBuildsStopsMavenAndLeavesNoHalfBuiltJar() throws Exception {
    Path checkout = work.resolve("fresh");
    copyCheckout(checkout, false);
    Path tmp = Files.createDirectories(work.resolve("build-tmp"));
    Path stderr = work.resolve("build.err");
    ProcessBuilder builder = new ProcessBuilder("bash", checkout.resolve("bin/holdfast").toString(), "--version")
        .directory(work.toFile()).redirectOutput(work.resolve("build.out").toFile()).redirectError(stderr.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().put("TMPDIR", tmp.toString());
    Process process = builder.start();
    try {
      // Maven is running: the launcher said so, and has a JVM below it
      await().atMost(Duration.ofMinutes(2)).until(() -> Files.readString(stderr).contains("building")
          && process.descendants().anyMatch(p -> p.info().command().orElse("").endsWith("java")));
      List<ProcessHandle> maven = process.descendants().toList();

      sh("kill -INT " + process.pid());

      assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("bin/holdfast ended").isTrue();
      assertThat(process.exitValue()).isEqualTo(130);
      assertThat(Files.readString(stderr)).contains("holdfast: build interrupted");
      await().atMost(Duration.ofSeconds(30)).until(() -> maven.stream().noneMatch(ProcessHandle::isAlive));
      assertThat(checkout.resolve("holdfast-cli/target/holdfast.jar")).doesNotExist();
      try (var left = Files.list(tmp)) {
        assertThat(left).as("files left in TMPDIR").isEmpty();
      }
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  @Test
  void ctrlCWhileItCopiesRemovesThePartialBlobAndSaysHowFarItGot() throws Exception {
    WrittenImage image = SyntheticImage.builder().seed(181).layers(1).layerSize(3_000_000).build()
        .writeTo(work.resolve("seed"), "big");
    Skopeo.create(work.resolve("skopeo")).push(image, registry.image("slow/app:1"));
    Path layout = work.resolve("copies");
    Path stderr = work.resolve("copy.err");
    // the registry's answers stop after 1 MB: the copy is in the middle of the layer, and stays there
    try (StallingRelay relay = new StallingRelay(registry.port(), 1_000_000)) {
      Process process = builder("copy", "docker://127.0.0.1:" + relay.port() + "/slow/app:1", "oci:" + layout + ":app")
          .redirectOutput(work.resolve("copy.out").toFile()).redirectError(stderr.toFile()).start();
      try {
        await().atMost(Duration.ofMinutes(1)).until(() -> partials(layout) > 0);

        sh("kill -INT " + process.pid()); // bin/holdfast execs the JVM: this is the JVM's pid

        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).isEqualTo(130);
      } finally {
        process.destroyForcibly();
      }
    }
    assertThat(partials(layout)).as(".holdfast-*.partial files left in " + layout).isZero();
    assertThat(Files.readString(stderr)).contains("holdfast copy: stopped before the end: 0 of 1 images done");
  }

  @Test
  void theNextRunRemovesPartialBlobsThatAKilledProcessLeft() throws Exception {
    Path layout = work.resolve("killed");
    Launch first = launch("sync", "--from", "oci:examples/upstream", "--to", "oci:" + layout);
    assertThat(first.exitCode()).as(first.err()).isZero();
    Path leftover = Files.writeString(layout.resolve(".holdfast-blob-123.partial"), "half a blob");

    Launch again = launch("sync", "--from", "oci:examples/upstream", "--to", "oci:" + layout);

    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(leftover).doesNotExist();
  }

  private static long partials(Path layout) throws IOException {
    if (!Files.isDirectory(layout)) {
      return 0;
    }
    try (var files = Files.list(layout)) {
      return files.filter(f -> f.getFileName().toString().matches("\\.holdfast-.*\\.partial")).count();
    }
  }

  /** What a checkout holds: the launcher, the build files and sources, the samples; and the built jar if asked. */
  private static void copyCheckout(Path target, boolean withJar) throws Exception {
    Files.createDirectories(target);
    StringBuilder parts = new StringBuilder("bin pom.xml mvnw .mvn examples holdfast-*/pom.xml holdfast-*/src");
    if (withJar) {
      parts.append(" holdfast-cli/target/holdfast.jar");
      if (Files.exists(ROOT.resolve("holdfast-cli/target/holdfast.aot"))) {
        parts.append(" holdfast-cli/target/holdfast.aot");
      }
    }
    sh("cd " + ROOT + " && cp -a --parents " + parts + " " + target);
    if (withJar) { // the jar is newer than every source, as after a build
      sh("touch " + target.resolve("holdfast-cli/target/holdfast.jar") + " "
          + target.resolve("holdfast-cli/target").resolve("holdfast.*"));
    }
  }

  private static boolean isRoot() throws Exception {
    Process id = new ProcessBuilder("id", "-u").start();
    return new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().equals("0");
  }

  private static void sh(String command) throws Exception {
    Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(command + ": " + output).isZero();
  }

  private static ProcessBuilder builder(String... args) {
    List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().remove("HOLDFAST_JAVA_OPTS");
    return builder;
  }

  private static Launch launch(String... args) throws IOException, InterruptedException {
    return launch(builder(args));
  }

  private static Launch launch(ProcessBuilder builder) throws IOException, InterruptedException {
    String[] args = builder.command().toArray(String[]::new);
    builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Path stdout = Files.createTempFile("holdfast-launch-", ".out");
    Path stderr = Files.createTempFile("holdfast-launch-", ".err");
    try {
      Process process = builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(String.join(" ", args) + " did not finish within 5 minutes: "
            + Files.readString(stderr));
      }
      return new Launch(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
          Files.readString(stderr, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }
}
