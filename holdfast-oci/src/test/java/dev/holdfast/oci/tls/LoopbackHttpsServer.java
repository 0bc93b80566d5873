package dev.holdfast.oci.tls;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * An HTTPS server on loopback with the server certificate of {@link TestCertificates}, answering
 * {@code GET /v2/} with 200; optionally it requires a client certificate signed by the test CA.
 */
final class LoopbackHttpsServer implements AutoCloseable {
  private final HttpsServer server;

  private LoopbackHttpsServer(HttpsServer server) {
    this.server = server;
  }

  static LoopbackHttpsServer start(TestCertificates certs, boolean requireClientCertificate)
      throws IOException, GeneralSecurityException {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(certs.serverP12.toFile())) {
      keyStore.load(in, TestCertificates.PASSWORD.toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(keyStore, TestCertificates.PASSWORD.toCharArray());
    TrustManagerFactory clientCas = null;
    if (requireClientCertificate) {
      KeyStore cas = KeyStore.getInstance("PKCS12");
      cas.load(null, null);
      cas.setCertificateEntry("ca", PemBundle.read(certs.caCert).certificates().getFirst());
      clientCas = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      clientCas.init(cas);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), clientCas == null ? null : clientCas.getTrustManagers(), null);

    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setNeedClientAuth(requireClientCertificate);
        params.setSSLParameters(parameters);
      }
    });
    server.createContext("/v2/", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    return new LoopbackHttpsServer(server);
  }

  /** {@code 127.0.0.1:PORT}, as registries are named. */
  String registry() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** The status of {@code GET /v2/} through a client with this TLS context. */
  int get(SSLContext context) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
    try (client) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + registry() + "/v2/"))
          .timeout(Duration.ofSeconds(10)).build();
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
