package dev.holdfast.oci.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.tls.TestCertificates.KeyFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Client certificates (mutual TLS): the key formats OpenSSL writes, checked by a real handshake
 * with an HTTPS server on loopback that requires a client certificate signed by the test CA.
 */
class ClientIdentityTest {
  @TempDir static Path dir;
  static TestCertificates certs;
  static PemBundle caBundle;
  static LoopbackHttpsServer server;
  static String registry;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.generate(dir);
    caBundle = PemBundle.read(certs.caCert);
    server = LoopbackHttpsServer.start(certs, true);
    registry = server.registry();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest
  @EnumSource(KeyFormat.class)
  void everyKeyFormatOpenSslWritesCompletesAHandshake(KeyFormat format) throws Exception {
    String name = "client-" + format.name().toLowerCase(Locale.ROOT).replace('_', '-');
    Path[] files = certs.client(dir, name, format);
    ClientIdentity identity = ClientIdentity.read(files[0], files[1]);
    assertThat(identity.subject()).isEqualTo("CN=" + name);
    assertThat(identity.chain()).hasSize(1);

    TrustConfig trust = TrustConfig.builder().addRegistryBundle(registry, caBundle)
        .addClientIdentity(registry, identity).build();
    assertThat(get(trust.sslContext(registry))).isEqualTo(200);
    assertThat(trust.describe()).contains("client certificate for " + registry + ": " + identity.source());
  }

  @Test
  void withoutAClientCertificateTheServerRefusesTheHandshake() {
    TrustConfig trust = TrustConfig.builder().addRegistryBundle(registry, caBundle).build();
    assertThat(trust.identityFor(registry)).isEmpty();
    assertThatThrownBy(() -> get(trust.sslContext(registry))).isInstanceOf(IOException.class);
  }

  @Test
  void aCertificateIsOfferedToItsRegistryAndToEveryPortOfItsHost() throws Exception {
    Path[] files = certs.client(dir, "scoped", KeyFormat.PKCS8_EC);
    ClientIdentity identity = ClientIdentity.read(files[0], files[1]);

    TrustConfig otherPort = TrustConfig.builder().addRegistryBundle(registry, caBundle)
        .addClientIdentity("127.0.0.1:1", identity).build();
    assertThat(otherPort.identityFor(registry)).isEmpty();
    assertThatThrownBy(() -> get(otherPort.sslContext(registry))).isInstanceOf(IOException.class);

    TrustConfig wholeHost = TrustConfig.builder().addRegistryBundle(registry, caBundle)
        .addClientIdentity("127.0.0.1", identity).build();
    assertThat(wholeHost.identityFor(registry)).contains(identity);
    assertThat(get(wholeHost.sslContext(registry))).isEqualTo(200);
  }

  @Test
  void anInsecureRegistryIsStillOfferedItsCertificate() throws Exception {
    Path[] files = certs.client(dir, "insecure", KeyFormat.PKCS8_RSA);
    TrustConfig trust = TrustConfig.builder().addInsecureRegistry(registry)
        .addClientIdentity(registry, ClientIdentity.read(files[0], files[1])).build();
    assertThat(get(trust.insecureSslContext(registry))).isEqualTo(200);
    assertThatThrownBy(() -> get(TrustConfig.builder().addInsecureRegistry(registry).build()
        .insecureSslContext(registry))).isInstanceOf(IOException.class);
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() throws Exception {
    Path[] one = certs.client(dir, "one", KeyFormat.PKCS8_RSA);
    Path[] two = certs.client(dir, "two", KeyFormat.PKCS8_RSA);
    assertThatThrownBy(() -> ClientIdentity.read(one[0], two[1]))
        .isInstanceOf(InvalidClientIdentityException.class)
        .hasMessageContaining(two[1] + " is not the private key of the certificate in " + one[0])
        .hasMessageContaining("CN=one")
        .satisfies(e -> assertNoKeyMaterial(e.getMessage(), two[1]));
  }

  @Test
  void anEncryptedKeyIsRefusedWithHowToDecryptIt() throws Exception {
    Path[] files = certs.client(dir, "locked", KeyFormat.PKCS8_RSA);
    Path encrypted = dir.resolve("locked-encrypted.key");
    TestCertificates.openssl(dir, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", files[1].toString(),
        "-out", encrypted.toString(), "-passout", "pass:secret");
    assertThat(Files.readString(encrypted)).contains("BEGIN ENCRYPTED PRIVATE KEY");
    assertThatThrownBy(() -> ClientIdentity.read(files[0], encrypted))
        .isInstanceOf(InvalidClientIdentityException.class)
        .hasMessage(encrypted + ": the private key is encrypted; Holdfast reads unencrypted keys only"
            + " (decrypt it with: openssl pkey -in KEY -out KEY.plain)");
  }

  @Test
  void aCertificateFileWithAKeyInItIsRefused() throws Exception {
    Path[] files = certs.client(dir, "mixed", KeyFormat.PKCS8_RSA);
    Path mixed = dir.resolve("mixed.pem");
    Files.writeString(mixed, Files.readString(files[0]) + Files.readString(files[1]));
    assertThatThrownBy(() -> ClientIdentity.read(mixed, files[1]))
        .isInstanceOf(InvalidClientIdentityException.class)
        .hasMessageStartingWith(mixed + ": a PRIVATE KEY block at line ")
        .hasMessageEndingWith("a client certificate file holds CERTIFICATE blocks only (the key goes in its own"
            + " .key file)");
  }

  @Test
  void aKeyFileWithoutAKeyIsRefused() throws Exception {
    Path[] files = certs.client(dir, "keyless", KeyFormat.PKCS8_RSA);
    assertThatThrownBy(() -> ClientIdentity.read(files[0], files[0]))
        .isInstanceOf(InvalidClientIdentityException.class)
        .hasMessage(files[0] + ": expected one private key block (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY"
            + " or BEGIN EC PRIVATE KEY), found 0");
    assertThatThrownBy(() -> ClientIdentity.read(files[0], dir.resolve("absent.key")))
        .isInstanceOf(InvalidClientIdentityException.class)
        .hasMessageStartingWith("cannot read " + dir.resolve("absent.key"));
  }

  @Test
  void aRegistryIsOfferedOneCertificate() throws Exception {
    Path[] files = certs.client(dir, "twice", KeyFormat.PKCS8_EC);
    ClientIdentity identity = ClientIdentity.read(files[0], files[1]);
    TrustConfig.Builder builder = TrustConfig.builder().addClientIdentity("registry.example:5000", identity);
    assertThatThrownBy(() -> builder.addClientIdentity("REGISTRY.example:5000", identity))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("two client certificates for registry.example:5000: " + identity.source() + ", and "
            + identity.source());
  }

  /** No 16-character run of the key file's base64 appears in the message. */
  private static void assertNoKeyMaterial(String message, Path keyFile) {
    String body;
    try {
      body = Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    for (int i = 0; i + 16 <= body.length(); i += 8) {
      assertThat(message).doesNotContain(body.substring(i, i + 16));
    }
  }

  private static int get(SSLContext context) throws IOException, InterruptedException {
    return server.get(context);
  }
}
