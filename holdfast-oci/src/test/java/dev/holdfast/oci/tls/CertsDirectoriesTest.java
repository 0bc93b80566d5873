package dev.holdfast.oci.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.tls.CertsDirectories.Root;
import dev.holdfast.oci.tls.TestCertificates.KeyFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** certs.d directories: what is read from where, and what a broken entry does. */
class CertsDirectoriesTest {
  @TempDir static Path shared;
  static TestCertificates certs;
  static Path clientCert;
  static Path clientKey;
  static Path otherKey;

  @TempDir Path dir;

  @BeforeAll
  static void generate() throws Exception {
    certs = TestCertificates.generate(shared);
    Path[] client = certs.client(shared, "client", KeyFormat.PKCS8_EC);
    clientCert = client[0];
    clientKey = client[1];
    otherKey = certs.client(shared, "stranger", KeyFormat.PKCS8_EC)[1];
  }

  @Test
  void aRegistryDirectoryGivesItsCasAndItsClientCertificate() throws Exception {
    Path root = dir.resolve("certs.d");
    Path registry = Files.createDirectories(root.resolve("registry.example:5000"));
    Files.copy(certs.caCert, registry.resolve("ca.crt"));
    Files.copy(certs.otherCert, registry.resolve("second.crt"));
    Files.copy(clientCert, registry.resolve("client.cert"));
    Files.copy(clientKey, registry.resolve("client.key"));
    Files.writeString(registry.resolve("README"), "ignored");

    TrustConfig.Builder builder = TrustConfig.builder();
    assertThat(CertsDirectories.addTo(builder, List.of(new Root(root, true)))).isEmpty();
    TrustConfig trust = builder.build();

    assertThat(trust.bundlesFor("registry.example:5000")).extracting(PemBundle::source)
        .containsExactly(registry.resolve("ca.crt").toString(), registry.resolve("second.crt").toString());
    assertThat(trust.identityFor("registry.example:5000")).get().extracting(ClientIdentity::subject)
        .isEqualTo("CN=client");
    // the directory names host:port, so the host on another port gets nothing
    assertThat(trust.bundlesFor("registry.example")).isEmpty();
    assertThat(trust.identityFor("registry.example:443")).isEmpty();
  }

  @Test
  void theFirstRootWithADirectoryForARegistryWins() throws Exception {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    Files.copy(certs.caCert, Files.createDirectories(first.resolve("registry.example")).resolve("ca.crt"));
    Path shadowed = Files.createDirectories(second.resolve("registry.example"));
    Files.writeString(shadowed.resolve("broken.crt"), "not a certificate");
    Files.copy(certs.otherCert, Files.createDirectories(second.resolve("other.example")).resolve("ca.crt"));

    TrustConfig.Builder builder = TrustConfig.builder();
    List<String> warnings = CertsDirectories.addTo(builder, List.of(new Root(first, true), new Root(second, true)));
    TrustConfig trust = builder.build();

    assertThat(warnings).isEmpty(); // the broken file in the shadowed directory was never read
    assertThat(trust.bundlesFor("registry.example")).extracting(PemBundle::source)
        .containsExactly(first.resolve("registry.example/ca.crt").toString());
    assertThat(trust.bundlesFor("other.example")).hasSize(1);
  }

  @Test
  void aBrokenEntryInANamedDirectoryIsAnError() throws Exception {
    Path root = dir.resolve("named");
    Path registry = Files.createDirectories(root.resolve("registry.example"));
    Files.copy(clientCert, registry.resolve("client.cert"));
    Files.copy(otherKey, registry.resolve("client.key"));

    assertThatThrownBy(() -> readNamed(root))
        .isInstanceOf(InvalidClientIdentityException.class)
        .hasMessage(registry.resolve("client.key") + " is not the private key of the certificate in "
            + registry.resolve("client.cert") + " (CN=client)");
  }

  @Test
  void aBrokenEntryInADefaultLocationSkipsThatRegistryWithAWarning() throws Exception {
    Path root = dir.resolve("default");
    Path broken = Files.createDirectories(root.resolve("broken.example"));
    Files.copy(certs.caCert, broken.resolve("ca.crt"));
    Files.copy(clientCert, broken.resolve("client.cert")); // no client.key
    Files.copy(certs.caCert, Files.createDirectories(root.resolve("good.example")).resolve("ca.crt"));

    TrustConfig.Builder builder = TrustConfig.builder();
    List<String> warnings = CertsDirectories.addTo(builder, List.of(new Root(root, false)));
    TrustConfig trust = builder.build();

    assertThat(warnings).containsExactly("certs.d: skipped " + broken + ": " + broken.resolve("client.cert")
        + " has no private key client.key beside it");
    assertThat(trust.bundlesFor("broken.example")).isEmpty(); // nothing of a skipped directory is used
    assertThat(trust.bundlesFor("good.example")).hasSize(1);
  }

  @Test
  void aKeyWithoutItsCertificateAndTwoPairsAreErrors() throws Exception {
    Path root = dir.resolve("pairs");
    Path lone = Files.createDirectories(root.resolve("lone.example"));
    Files.copy(clientKey, lone.resolve("client.key"));
    assertThatThrownBy(() -> readNamed(root))
        .isInstanceOf(InvalidClientIdentityException.class)
        .hasMessage(lone.resolve("client.key") + " has no client certificate client.cert beside it");

    Files.copy(clientCert, lone.resolve("client.cert"));
    Files.copy(clientCert, lone.resolve("again.cert"));
    Files.copy(clientKey, lone.resolve("again.key"));
    assertThatThrownBy(() -> readNamed(root))
        .isInstanceOf(InvalidClientIdentityException.class)
        .hasMessage(lone + " holds 2 client certificates; Holdfast offers one per registry");
  }

  @Test
  void aNamedDirectoryMustExistADefaultOneNeedNot() {
    Path absent = dir.resolve("absent");
    assertThat(CertsDirectories.addTo(TrustConfig.builder(), List.of(new Root(absent, false)))).isEmpty();
    assertThatThrownBy(() -> readNamed(absent))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("certs.d directory " + absent + " does not exist");
  }

  @Test
  void theDefaultLocationsAreThoseOfPodmanSkopeoAndDocker() {
    assertThat(CertsDirectories.defaultRoots(Map.of("HOME", "/home/user"))).containsExactly(
        new Root(Path.of("/home/user/.config/containers/certs.d"), false),
        new Root(Path.of("/etc/containers/certs.d"), false),
        new Root(Path.of("/etc/docker/certs.d"), false));
    assertThat(CertsDirectories.defaultRoots(Map.of())).extracting(Root::directory)
        .containsExactly(Path.of("/etc/containers/certs.d"), Path.of("/etc/docker/certs.d"));
  }

  /** Reads one directory the user named, into a new builder. */
  private static List<String> readNamed(Path root) {
    return CertsDirectories.addTo(TrustConfig.builder(), List.of(new Root(root, true)));
  }
}
