package dev.holdfast.operator.webhook;

import static dev.holdfast.operator.api.ImagePolicySpec.ReferenceForm.TagAndDigest;
import static dev.holdfast.operator.api.ImagePolicySpec.RewriteMode.Webhook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook's HTTPS server on loopback: it answers reviews over TLS with the operator's own
 * certificate, refuses plain HTTP, and serves a new certificate from the next handshake on.
 */
class WebhookServerTest {
  private static final List<String> NAMES = List.of("localhost", "127.0.0.1");

  private final WebhookCertificates.KeyMaterial keys = WebhookCertificates.issue(NAMES, Instant.now());
  private WebhookServer server;

  @BeforeEach
  void start() {
    WebhookMetrics metrics = new WebhookMetrics(new SimpleMeterRegistry());
    FakeState state = new FakeState(FakeState.policy("shop", Webhook, TagAndDigest, false)).verified("nginx:1.27");
    server = new WebhookServer(new InetSocketAddress("127.0.0.1", 0), new AdmissionHandler(state, metrics), metrics);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private URI uri(String scheme) {
    return URI.create(scheme + "://127.0.0.1:" + server.address().getPort() + WebhookServer.PATH);
  }

  private static SSLContext trusting(String... caPems) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    for (int i = 0; i < caPems.length; i++) {
      store.setCertificateEntry("ca" + i, WebhookCertificates.certificate(caPems[i]));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static HttpClient client(String... caPems) throws Exception {
    return HttpClient.newBuilder().sslContext(trusting(caPems)).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  private HttpResponse<String> post(HttpClient client, String scheme, byte[] body) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(scheme)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String review(String uid) {
    return Reviews.create(uid, """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},
         "spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}""");
  }

  /** The certificate a TLS handshake with the server presents. */
  private X509Certificate served(SSLContext context) throws IOException {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1",
        server.address().getPort())) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  // --- HTTPS ---

  @Test
  void reviewsAreAnsweredOverHttpsOnKeptAliveConnections() throws Exception {
    server.useCertificate(keys.certificate(), keys.key());
    HttpClient client = client(keys.caCertificate());

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response = post(client, "https", Reviews.bytes(review("uid-" + i)));

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
      JsonNode answer = Reviews.JSON.readTree(response.body());
      assertThat(answer.at("/response/uid").asText()).isEqualTo("uid-" + i);
      assertThat(answer.at("/response/allowed").booleanValue()).isTrue();
      assertThat(Reviews.patch(answer).orElseThrow().toString()).contains("copies.example.com/keep/docker.io/library/nginx");
    }
    assertThat(server.hasCertificate()).isTrue();
  }

  @Test
  void theHostNameAndAddressOfTheCertificateAreVerifiedByTheJdksClient() throws Exception {
    server.useCertificate(keys.certificate(), keys.key());

    HttpResponse<String> byName = HttpClient.newBuilder().sslContext(trusting(keys.caCertificate()))
        .version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
            URI.create("https://localhost:" + server.address().getPort() + WebhookServer.PATH))
            .POST(HttpRequest.BodyPublishers.ofString(review("by-name"))).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(byName.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> post(client(WebhookCertificates.issue(NAMES, Instant.now()).caCertificate()), "https",
        Reviews.bytes(review("other-ca")))).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void otherMethodsUnreadableAndOversizedBodiesAreRefusedWithoutAnAnswer() throws Exception {
    server.useCertificate(keys.certificate(), keys.key());
    HttpClient client = client(keys.caCertificate());

    HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri("https")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> truncated = post(client, "https", Reviews.bytes(review("t").substring(0, 100)));
    byte[] oversized = new byte[8 * 1024 * 1024 + 1];
    java.util.Arrays.fill(oversized, (byte) ' ');
    HttpResponse<String> huge = post(client, "https", oversized);

    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(truncated.statusCode()).isEqualTo(400);
    assertThat(truncated.body()).isEqualTo("{\"error\":\"not an AdmissionReview\"}");
    assertThat(huge.statusCode()).isEqualTo(400);
    assertThat(post(client, "https", Reviews.bytes(review("after"))).statusCode()).isEqualTo(200);
  }

  // --- plain HTTP is refused ---

  @Test
  void plainHttpGetsNoHttpAnswer() throws Exception {
    server.useCertificate(keys.certificate(), keys.key());
    byte[] body = Reviews.bytes(review("plain"));

    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + WebhookServer.PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      try {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          received.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException | java.net.SocketException e) {
        // a reset or silence: no answer either way
      }
    }

    assertThat(received.toString(StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/").doesNotContain("allowed");
    // And the JDK's HTTP client, speaking plain HTTP, gets an I/O error rather than a response.
    assertThatThrownBy(() -> post(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), "http", body))
        .isInstanceOf(IOException.class);
    // The server is unharmed.
    assertThat(post(client(keys.caCertificate()), "https", body).statusCode()).isEqualTo(200);
  }

  // --- certificates replaced while serving ---

  @Test
  void withoutACertificateHandshakesFailAndTheFirstOneLoadedIsServedWithoutARestart() throws Exception {
    assertThat(server.hasCertificate()).isFalse();
    assertThatThrownBy(() -> served(trusting(keys.caCertificate()))).isInstanceOf(IOException.class);

    server.useCertificate(keys.certificate(), keys.key());

    assertThat(served(trusting(keys.caCertificate()))).isEqualTo(WebhookCertificates.certificate(keys.certificate()));
  }

  @Test
  void aRenewedOrReissuedCertificateIsServedFromTheNextHandshakeOn() throws Exception {
    server.useCertificate(keys.certificate(), keys.key());
    HttpClient kept = client(keys.caCertificate());
    assertThat(post(kept, "https", Reviews.bytes(review("before"))).statusCode()).isEqualTo(200);

    WebhookCertificates.KeyMaterial renewed = WebhookCertificates.renew(keys, NAMES, Instant.now());
    server.useCertificate(renewed.certificate(), renewed.key());

    assertThat(served(trusting(keys.caCertificate()))).isEqualTo(WebhookCertificates.certificate(renewed.certificate()));
    // A connection kept alive from before still works; so do new ones, with the same CA bundle.
    assertThat(post(kept, "https", Reviews.bytes(review("kept"))).statusCode()).isEqualTo(200);
    assertThat(post(client(keys.caCertificate()), "https", Reviews.bytes(review("new"))).statusCode()).isEqualTo(200);

    WebhookCertificates.KeyMaterial reissued = WebhookCertificates.issue(NAMES, Instant.now());
    server.useCertificate(reissued.certificate(), reissued.key());

    assertThat(post(client(reissued.caCertificate()), "https", Reviews.bytes(review("reissued"))).statusCode())
        .isEqualTo(200);
    assertThatThrownBy(() -> served(trusting(keys.caCertificate()))).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void anUnusableCertificateIsRefusedAndTheCurrentOneKeptServing() throws Exception {
    server.useCertificate(keys.certificate(), keys.key());

    assertThatThrownBy(() -> server.useCertificate("not pem", keys.key())).isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> server.useCertificate(keys.certificate(), "not pem"))
        .isInstanceOf(RuntimeException.class);
    // A certificate with another certificate's key (a Secret caught half-written) would fail every handshake.
    WebhookCertificates.KeyMaterial other = WebhookCertificates.renew(keys, NAMES, Instant.now());
    assertThatThrownBy(() -> server.useCertificate(other.certificate(), keys.key()))
        .isInstanceOf(RuntimeException.class);

    assertThat(served(trusting(keys.caCertificate()))).isEqualTo(WebhookCertificates.certificate(keys.certificate()));
  }
}
