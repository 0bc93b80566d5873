package dev.holdfast.oci.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.testing.Descriptor;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS work per registry at a real HTTPS registry (issue 26): one handshake per kept-alive
 * connection, never one per blob, and every connection after the first resumes the TLS session
 * of an earlier one. A full handshake is counted where only a full handshake goes: the check of
 * the server's certificate chain (a resumed handshake sends no certificate).
 */
class TlsSessionsIT {

  @RegisterExtension static final RegistryExtension registry = RegistryExtension.tls();
  @TempDir static Path work;
  static WrittenImage image;

  @BeforeAll
  static void seed() {
    image = SyntheticImage.builder().seed(26).layers(12).layerSize(64 * 1024).build()
        .writeTo(work.resolve("layout"), "sessions");
    Skopeo.create(work.resolve("skopeo")).push(image, registry.image("tls/sessions:v1"));
  }

  @Test
  void blobsShareOneConnectionAndOneHandshake() throws IOException {
    CountingTrust trust = new CountingTrust(registry);
    HttpTransport transport = new HttpTransport(Duration.ofSeconds(5), Duration.ofSeconds(30), Proxies.none());
    for (int round = 0; round < 2; round++) {
      for (Descriptor layer : image.layers()) {
        try (InputStream body = get(transport, trust.context, layer)) {
          assertThat(body.readAllBytes()).isEqualTo(image.readBlob(layer.digest()));
        }
      }
    }
    // 24 blob GETs
    assertThat(transport.connectionsOpened()).as("connections (one handshake each)").isEqualTo(1);
    assertThat(trust.chainsChecked.get()).as("full handshakes").isEqualTo(1);
  }

  @Test
  void newConnectionsResumeTheSessionOfTheFirst() throws IOException {
    CountingTrust trust = new CountingTrust(registry);
    HttpTransport transport = new HttpTransport(Duration.ofSeconds(5), Duration.ofSeconds(30), Proxies.none());
    List<Descriptor> layers = image.layers();
    try (InputStream first = get(transport, trust.context, layers.get(0))) {
      first.readAllBytes();
    }
    // four blobs at once, as the copy engine moves them: each body held open needs a connection of its own
    List<InputStream> open = new ArrayList<>();
    try {
      for (int i = 1; i <= 4; i++) {
        open.add(get(transport, trust.context, layers.get(i)));
      }
      for (int i = 0; i < open.size(); i++) {
        assertThat(open.get(i).readAllBytes()).isEqualTo(image.readBlob(layers.get(i + 1).digest()));
      }
    } finally {
      for (InputStream body : open) {
        body.close();
      }
    }
    assertThat(transport.connectionsOpened()).as("connections").isEqualTo(4);
    assertThat(trust.chainsChecked.get()).as("full handshakes: the others resumed its session").isEqualTo(1);
  }

  private static InputStream get(HttpTransport transport, SSLContext tls, Descriptor blob) throws IOException {
    URI uri = URI.create(registry.baseUri() + "/v2/tls/sessions/blobs/" + blob.digest());
    HttpTransport.Reply reply = transport.send(new HttpTransport.Request("GET", uri, List.of(), tls, null, 0));
    assertThat(reply.status()).as("GET " + uri).isEqualTo(200);
    return reply.body();
  }

  /** A TLS context that trusts the registry's CA and counts the certificate chains it checks. */
  private static final class CountingTrust extends X509ExtendedTrustManager {
    final AtomicInteger chainsChecked = new AtomicInteger();
    final SSLContext context;
    private final X509ExtendedTrustManager delegate;

    CountingTrust(RegistryExtension registry) {
      try {
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        anchors.setCertificateEntry("test-ca", registry.ca().caCertificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors);
        delegate = (X509ExtendedTrustManager) factory.getTrustManagers()[0];
        context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {this}, null);
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      chainsChecked.incrementAndGet();
      delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      chainsChecked.incrementAndGet();
      delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      chainsChecked.incrementAndGet();
      delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      throw new CertificateException("a client");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("a client");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("a client");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
