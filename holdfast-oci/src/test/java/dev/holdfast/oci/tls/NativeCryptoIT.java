package dev.holdfast.oci.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native crypto for TLS is optional (issue 26): an image pulled over HTTPS, each time in a JVM of
 * its own ({@link NativeCryptoProbe}), with the Amazon Corretto Crypto Provider in use, with its
 * native library failing to load (as on another architecture or on musl), without it on the class
 * path, and switched off. Every case pulls the same bytes; only the providers differ. The rest of
 * the suite runs with it in use, as the CLI and the operator do (or without it, with {@code
 * HOLDFAST_NATIVE_CRYPTO=off}: see docs/testing.md).
 */
class NativeCryptoIT {

  @RegisterExtension static final RegistryExtension registry = RegistryExtension.tls();
  @TempDir static Path work;
  static WrittenImage image;

  @BeforeAll
  static void seed() throws IOException {
    // the probe logs NativeCrypto's DEBUG line and warnings, not HttpClient's wire log
    Files.writeString(work.resolve("logback.xml"), """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>log=%level %logger{0} %msg%n</pattern></encoder>
          </appender>
          <logger name="dev.holdfast.oci.tls.NativeCrypto" level="DEBUG"/>
          <root level="WARN"><appender-ref ref="OUT"/></root>
        </configuration>
        """);
    image = SyntheticImage.builder().seed(62).layers(3).layerSize(256 * 1024).build()
        .writeTo(work.resolve("layout"), "native");
    Skopeo.create(work.resolve("skopeo")).push(image, registry.image("tls/native:v1"));
  }

  @Test
  void theNativeProviderServesTlsWhereItLoads() throws Exception {
    Map<String, String> out = probe(List.of(), classPath(), false);
    assertThat(out.get("kind")).isEqualTo("Native");
    assertThat(out.get("choice")).startsWith("Amazon Corretto Crypto Provider 2.");
    assertThat(out.get("aes-gcm")).isEqualTo("AmazonCorrettoCryptoProvider");
    assertThat(out.get("bytes")).isEqualTo(Long.toString(image.layerBytes()));
  }

  @Test
  void theJdkServesTlsWhereTheNativeLibraryDoesNotLoad() throws Exception {
    // ACCP's documented property: skip the library in the jar and load one from java.library.path,
    // where there is none; the same failure as a jar without a library for this platform
    Map<String, String> out = probe(List.of("-Dcom.amazon.corretto.crypto.provider.useExternalLib=true",
        "-Djava.library.path=" + work.resolve("no-libraries")), classPath(), false);
    assertThat(out.get("kind")).isEqualTo("Jdk");
    assertThat(out.get("choice")).contains("native library does not load on linux/");
    assertThat(out.get("aes-gcm")).isEqualTo("SunJCE");
    assertThat(out.get("bytes")).isEqualTo(Long.toString(image.layerBytes()));
  }

  @Test
  void theJdkServesTlsWithoutTheProviderOnTheClassPath() throws Exception {
    List<String> withoutAccp = classPath().stream().filter(entry -> !entry.contains("AmazonCorrettoCryptoProvider"))
        .toList();
    assertThat(withoutAccp).hasSizeLessThan(classPath().size());
    Map<String, String> out = probe(List.of(), withoutAccp, false);
    assertThat(out.get("kind")).isEqualTo("Jdk");
    assertThat(out.get("choice")).contains("not on the class path");
    assertThat(out.get("aes-gcm")).isEqualTo("SunJCE");
    assertThat(out.get("bytes")).isEqualTo(Long.toString(image.layerBytes()));
  }

  @Test
  void declinedItIsNeverLoaded() throws Exception {
    Map<String, String> out = probe(List.of(), classPath(), true);
    assertThat(out.get("kind")).isEqualTo("Jdk");
    assertThat(out.get("choice")).isEqualTo("the JDK's providers (switched off)");
    assertThat(out.get("aes-gcm")).isEqualTo("SunJCE");
    assertThat(out.get("bytes")).isEqualTo(Long.toString(image.layerBytes()));
  }

  private static List<String> classPath() {
    return Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
  }

  /** Runs the probe in a new JVM; its {@code key=value} lines, its log lines as {@code log}. */
  private static Map<String, String> probe(List<String> jvmOptions, List<String> classPath, boolean decline)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Dlogback.configurationFile=" + work.resolve("logback.xml"));
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classPath));
    command.add(NativeCryptoProbe.class.getName());
    command.add(registry.hostPort() + "/tls/native:v1");
    command.add(registry.ca().caFile().toString());
    if (decline) {
      command.add("jdk");
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    Map<String, String> values = output.lines().filter(line -> line.matches("[a-z-]+=.*"))
        .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')),
            line -> line.substring(line.indexOf('=') + 1), (a, b) -> a + "\n" + b, LinkedHashMap::new));
    // one debug line, saying what the probe printed
    assertThat(values.get("log")).as(output).isEqualTo("DEBUG NativeCrypto TLS crypto: " + values.get("choice"));
    return values;
  }
}
