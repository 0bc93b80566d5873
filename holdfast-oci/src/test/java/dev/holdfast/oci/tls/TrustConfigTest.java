package dev.holdfast.oci.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS against a real HTTPS server on loopback, with a CA generated at test time. */
class TrustConfigTest {
  @TempDir static Path dir;
  static TestCertificates certs;
  static PemBundle caBundle;
  static PemBundle otherBundle;
  static LoopbackHttpsServer server;
  static String registry;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.generate(dir);
    caBundle = PemBundle.read(certs.caCert);
    otherBundle = PemBundle.read(certs.otherCert);
    server = LoopbackHttpsServer.start(certs, false);
    registry = server.registry();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static int get(SSLContext context) throws IOException, InterruptedException {
    return server.get(context);
  }

  @Test
  void registryBundleMakesTheServerTrusted() throws Exception {
    TrustConfig config = TrustConfig.builder().addRegistryBundle(registry, caBundle).build();
    assertThat(get(config.sslContext(registry))).isEqualTo(200);
  }

  @Test
  void globalBundleMakesTheServerTrusted() throws Exception {
    TrustConfig config = TrustConfig.builder().addGlobalBundle(certs.caCert).build();
    assertThat(get(config.sslContext(registry))).isEqualTo(200);
  }

  @Test
  void hostKeyAppliesToEveryPort() throws Exception {
    TrustConfig config = TrustConfig.builder().addRegistryBundle("127.0.0.1", caBundle).build();
    assertThat(get(config.sslContext(registry))).isEqualTo(200);
    assertThat(config.bundlesFor("127.0.0.1:1")).containsExactly(caBundle);
  }

  @Test
  void withoutTheCaTheServerIsRefused() {
    TrustConfig config = TrustConfig.builder()
        .addGlobalBundle(otherBundle)
        .addRegistryBundle("127.0.0.1:1", caBundle) // another port: must not apply
        .build();
    assertThat(config.bundlesFor(registry)).containsExactly(otherBundle);
    assertThatThrownBy(() -> get(config.sslContext(registry))).isInstanceOf(SSLHandshakeException.class);
    assertThatThrownBy(() -> get(TrustConfig.systemDefault().sslContext(registry)))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void insecureContextAcceptsTheUntrustedServer() throws Exception {
    TrustConfig config = TrustConfig.builder().addInsecureRegistry(registry).build();
    assertThat(config.isInsecure(registry)).isTrue();
    assertThat(config.isInsecure("127.0.0.1:1")).isFalse();
    assertThat(get(config.insecureSslContext(registry))).isEqualTo(200);
  }

  @Test
  void mergedTrustKeepsTheSystemRoots() throws Exception {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    X509TrustManager jdk = (X509TrustManager) factory.getTrustManagers()[0];
    List<X509Certificate> systemRoots = Arrays.asList(jdk.getAcceptedIssuers());
    assertThat(systemRoots).as("the JDK ships default roots").isNotEmpty();

    TrustConfig config = TrustConfig.builder().addRegistryBundle(registry, caBundle).build();
    List<X509Certificate> merged = Arrays.asList(config.trustManager(registry).getAcceptedIssuers());

    assertThat(merged).contains(caBundle.certificates().get(0));
    assertThat(merged).containsAll(systemRoots);
    assertThat(merged).hasSize(systemRoots.size() + 1);
    assertThat(Arrays.asList(config.trustManager("elsewhere.example.com").getAcceptedIssuers()))
        .doesNotContain(caBundle.certificates().get(0));
  }

  @Test
  void contextsAreCachedPerBundleSet() {
    TrustConfig config = TrustConfig.builder()
        .addRegistryBundle("a.example.com", caBundle)
        .addRegistryBundle("b.example.com:443", caBundle)
        .build();
    assertThat(config.sslContext("a.example.com")).isSameAs(config.sslContext("B.example.com:443"));
    assertThat(config.sslContext("c.example.com")).isNotSameAs(config.sslContext("a.example.com"));
  }

  @Test
  void insecureMatchingByHostOrHostAndPort() {
    TrustConfig config = TrustConfig.builder()
        .addInsecureRegistry("localhost")
        .addInsecureRegistry("Registry.Example.com:5000")
        .addInsecureRegistry("[::1]:5000")
        .build();
    assertThat(config.isInsecure("localhost")).isTrue();
    assertThat(config.isInsecure("localhost:5000")).isTrue();
    assertThat(config.isInsecure("registry.example.com:5000")).isTrue();
    assertThat(config.isInsecure("registry.example.com")).isFalse();
    assertThat(config.isInsecure("registry.example.com:5001")).isFalse();
    assertThat(config.isInsecure("[::1]:5000")).isTrue();
    assertThat(config.isInsecure("[::1]:5001")).isFalse();
    assertThat(config.isInsecure("docker.io")).isFalse();
    assertThatThrownBy(() -> TrustConfig.builder().addInsecureRegistry("https://x.example.com"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https://x.example.com");
  }

  @Test
  void warningsAndDescribeNameSkippedBlocks() throws Exception {
    PemBundle mixed = PemBundle.parse("mixed.pem", TestCertificates.read(certs.caCert)
        + "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n");
    TrustConfig config = TrustConfig.builder().addRegistryBundle("r.example.com", mixed)
        .addInsecureRegistry("i.example.com").build();
    assertThat(config.warnings()).singleElement().asString()
        .contains("mixed.pem").contains("block 2").contains("invalid base64");
    assertThat(config.describe())
        .contains("r.example.com: mixed.pem (1 certificates)")
        .contains("CN=Holdfast Test CA")
        .contains("insecure (TLS not verified): i.example.com")
        .contains("warning: trust bundle mixed.pem: skipped block 2");
  }
}
