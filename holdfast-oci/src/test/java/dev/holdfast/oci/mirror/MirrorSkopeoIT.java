package dev.holdfast.oci.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.holdfast.oci.reference.ImageReference;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cross-checks {@link MirrorRules#resolve} against containers/image itself: skopeo, given the same
 * registries.conf, logs every location it tries ("Trying to access") and which of them it refuses
 * as blocked. Every location is a loopback port nothing listens on, so each attempt fails at once
 * and all of them are made; no traffic leaves the machine.
 */
class MirrorSkopeoIT {

  private static final String D = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  private static final Pattern TRYING = Pattern.compile("msg=\"Trying to access \\\\\"([^\\\\]+)\\\\\"\"");
  private static final Pattern BLOCKED =
      Pattern.compile("msg=\"Accessing \\\\\"([^\\\\]+)\\\\\" failed: registry \\S+ is blocked");

  @TempDir static Path dir;
  private static Map<String, String> ports;

  @BeforeAll
  static void freePortsAndCleanEnvironment() throws IOException {
    // skopeo also reads /etc/containers/registries.conf.d; registry tables in a drop-in there would
    // change its answers (Debian ships one with short-name aliases only, which is harmless).
    Path systemDropIns = Path.of("/etc/containers/registries.conf.d");
    if (Files.isDirectory(systemDropIns)) {
      try (Stream<Path> files = Files.list(systemDropIns)) {
        assumeThat(files.filter(f -> f.toString().endsWith(".conf")).filter(MirrorSkopeoIT::hasRegistries).toList())
            .as("system-wide registries.conf.d drop-ins with [[registry]] tables change skopeo's answers")
            .isEmpty();
      }
    }
    Set<Integer> distinct = new HashSet<>();
    while (distinct.size() < 4) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        distinct.add(socket.getLocalPort());
      }
    }
    List<String> list = distinct.stream().map(String::valueOf).toList();
    ports = Map.of("{A}", list.get(0), "{B}", list.get(1), "{C}", list.get(2), "{D}", list.get(3));
  }

  private static boolean hasRegistries(Path dropIn) {
    try {
      String text = Files.readString(dropIn);
      return text.contains("[[registry") || text.contains("[registries");
    } catch (IOException e) {
      return true;
    }
  }

  private static String fill(String text) {
    String result = text;
    for (var port : ports.entrySet()) {
      result = result.replace(port.getKey(), port.getValue());
    }
    return result;
  }

  private static Path config(String scenario) throws IOException {
    String template = Files.readString(MirrorTestFiles.path("skopeo/" + scenario + ".conf"));
    Path file = dir.resolve(scenario + ".conf");
    Files.writeString(file, fill(template));
    return file;
  }

  /** What skopeo did: the locations it tried, in order, and those it refused as blocked. */
  private record Attempts(List<String> tried, Set<String> blocked, String log) {}

  private static Attempts skopeo(Path config, String reference) throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    ProcessBuilder builder = new ProcessBuilder("skopeo", "--debug", "--registries-conf",
        config.toString(), "inspect", "--retry-times", "0", "docker://" + reference);
    builder.environment().put("HOME", home.toString());
    builder.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    builder.environment().put("XDG_RUNTIME_DIR", home.toString());
    builder.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("skopeo finished").isTrue();
    String log = new String(output, StandardCharsets.UTF_8);
    List<String> tried = new ArrayList<>();
    Set<String> blocked = new HashSet<>();
    for (String line : log.split("\n")) {
      Matcher trying = TRYING.matcher(line);
      if (trying.find()) {
        tried.add(trying.group(1));
      }
      Matcher refused = BLOCKED.matcher(line);
      if (refused.find()) {
        blocked.add(refused.group(1));
      }
    }
    assertThat(process.exitValue()).as("skopeo cannot succeed: nothing listens\n" + log).isNotZero();
    return new Attempts(tried, blocked, log);
  }

  static Stream<Arguments> references() {
    return Stream.of(
        // --- Boundaries, longest prefix, digest-only and tag-only mirrors
        Arguments.of("prefixes", "localhost:{A}/ns/x:1"),
        Arguments.of("prefixes", "localhost:{A}/ns/x@" + D),
        Arguments.of("prefixes", "localhost:{A}/nsx/y:1"),
        Arguments.of("prefixes", "localhost:{A}/ns/repo:1"),
        Arguments.of("prefixes", "localhost:{A}/ns/repo@" + D),
        Arguments.of("prefixes", "localhost:{A}/ns/repo/sub:1"),
        Arguments.of("prefixes", "localhost:{A}/ns/repox@" + D),
        Arguments.of("prefixes", "localhost:{B}/unconfigured:1"),
        // --- prefix vs location, blocked sources, mirrors under a blocked rule, legacy digest-only
        Arguments.of("remap-and-block", "localhost:{A}/logical/app:1"),
        Arguments.of("remap-and-block", "localhost:{A}/logical:1"),
        Arguments.of("remap-and-block", "localhost:{A}/logicalx/app:1"),
        Arguments.of("remap-and-block", "localhost:{C}/app:1"),
        Arguments.of("remap-and-block", "localhost:{C}/app@" + D),
        Arguments.of("remap-and-block", "localhost:{B}/app:1"),
        Arguments.of("remap-and-block", "localhost:{B}/app@" + D),
        // --- A tag or digest in a prefix never applies: rules are chosen by name
        Arguments.of("tag-prefix", "localhost:{A}/foo:1"),
        Arguments.of("tag-prefix", "localhost:{A}/bar@" + D));
  }

  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @MethodSource("references")
  void resolvesAsSkopeoDoes(String scenario, String template) throws Exception {
    Path config = config(scenario);
    String reference = fill(template);

    Attempts skopeo = skopeo(config, reference);
    Resolution ours = MirrorConfigLoader.load(config).resolve(ImageReference.parse(reference));

    assertThat(skopeo.tried()).as("skopeo tried something\n" + skopeo.log()).isNotEmpty();
    List<String> reachable = skopeo.tried().stream().filter(t -> !skopeo.blocked().contains(t)).toList();
    boolean sourceBlocked = skopeo.blocked().contains(skopeo.tried().getLast());
    assertThat(ours.candidates()).extracting(c -> c.reference().toString())
        .as("candidates, as skopeo tries them\n" + skopeo.log())
        .containsExactlyElementsOf(reachable);
    assertThat(ours.blocked()).as("blocked").isEqualTo(sourceBlocked);
  }

  @Test
  void bothRefuseARewriteThatIsNotAReference() throws Exception {
    Path config = config("host-prefix");
    String reference = fill("localhost:{A}/app:1");

    Attempts skopeo = skopeo(config, reference);
    assertThat(skopeo.tried()).isEmpty();
    assertThat(skopeo.log()).contains("rewriting reference");

    MirrorRules rules = MirrorConfigLoader.load(config);
    assertThatThrownBy(() -> rules.resolve(ImageReference.parse(reference)))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessageContaining(fill("127.0.0.1:{B}/hostonly:{A}/app:1"));
  }
}
