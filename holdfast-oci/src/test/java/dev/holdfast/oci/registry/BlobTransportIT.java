package dev.holdfast.oci.registry;

import static dev.holdfast.oci.registry.TestClients.descriptor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.http.HttpTransport;
import dev.holdfast.oci.http.Proxies;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blob data path ({@link HttpTransport}) against a real registry, behind a TCP proxy that
 * counts connections: blob pulls and pushes share kept-alive connections, connections the server
 * closed are replaced without failing the transfer, and a stalled body fails on the read timeout.
 */
class BlobTransportIT {

  @RegisterExtension static final RegistryExtension registry = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension tls = RegistryExtension.tls();

  @TempDir static Path work;
  static WrittenImage image;

  CountingTcpProxy proxy;
  RegistryClient client;
  ImageReference source;
  List<Descriptor> layers;

  @BeforeAll
  static void seed() {
    image = SyntheticImage.builder().seed(33).layers(4).layerSize(300_000).build()
        .writeTo(work.resolve("layout"), "reuse");
    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    skopeo.push(image, registry.image("reuse/app:v1"));
    skopeo.push(image, tls.image("reuse/app:v1"));
  }

  @BeforeEach
  void connect() throws IOException {
    proxy = new CountingTcpProxy(registry.port());
    client = TestClients.builder(registry).readTimeout(Duration.ofSeconds(2)).build();
    source = ImageReference.parse(proxy.hostPort() + "/reuse/app:v1");
    layers = image.manifests().get(0).layers().stream().map(TestClients::descriptor).toList();
    client.getManifest(source); // scheme decided, and one connection opened and pooled
    proxy.accepted.clear();
  }

  @AfterEach
  void close() {
    proxy.close();
  }

  private byte[] pull(Descriptor layer) throws IOException {
    try (InputStream in = client.openBlob(source, layer)) {
      byte[] bytes = in.readAllBytes();
      assertThat(bytes).isEqualTo(image.readBlob(layer.digest().toString()));
      return bytes;
    }
  }

  private void push(String repository, Descriptor layer, byte[] bytes) {
    ImageReference target = ImageReference.parse(proxy.hostPort() + "/" + repository);
    client.pushBlob(target, layer, new ByteArrayInputStream(bytes));
    assertThat(client.headBlob(target, layer.digest())).contains(layer.size());
  }

  @Test
  void theSchemeProbeRunsOnTheConnectionTheCallsThenUse() throws IOException {
    try (CountingTcpProxy fresh = new CountingTcpProxy(registry.port())) {
      RegistryClient newClient = TestClients.builder(registry).build();
      ImageReference app = ImageReference.parse(fresh.hostPort() + "/reuse/app:v1");
      newClient.getManifest(app);
      newClient.headBlob(app, layers.get(0).digest());
      // GET /v2/ decided plain HTTP; the manifest GET and the HEAD followed on its connection
      assertThat(fresh.accepted).extracting(CountingTcpProxy.Accepted::firstLine)
          .containsExactly("GET /v2/ HTTP/1.1");
      assertThat(newClient.blobConnectionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void blobPullsAndPushesShareOneKeptAliveConnection() throws IOException {
    for (int round = 0; round < 2; round++) {
      for (Descriptor layer : layers) {
        push("reuse/copy" + round, layer, pull(layer));
      }
    }
    // 8 GETs, 8 POSTs, 8 PUTs and 8 HEADs, all on the connection the manifest GET opened
    assertThat(proxy.accepted).isEmpty();
    assertThat(client.blobConnectionsOpened()).isEqualTo(1);
  }

  @Test
  void connectionsTheServerClosedAreReplacedWithoutFailingTheTransfer() throws IOException {
    byte[] first = pull(layers.get(0)); // on the pooled connection
    proxy.closeAll();
    push("reuse/after-close", layers.get(0), first); // the POST finds it closed and is sent again
    proxy.closeAll();
    pull(layers.get(1)); // the pooled connection fails at once: the GET is sent again
    assertThat(proxy.acceptedStartingWith("POST /v2/reuse/after-close/blobs/uploads/")).isEqualTo(1);
    assertThat(proxy.acceptedStartingWith("GET /v2/reuse/app/blobs/")).isEqualTo(1);
    assertThat(proxy.accepted).hasSize(2);
    assertThat(client.blobConnectionsOpened()).isEqualTo(3);
  }

  @Test
  void aStalledBodyFailsOnTheReadTimeout() throws IOException {
    proxy.stallAfter = 100_000; // the head and a third of the layer, then silence
    proxy.closeAll(); // the stall applies to the next connection
    long start = System.nanoTime();
    try (InputStream in = client.openBlob(source, layers.get(0))) {
      assertThatThrownBy(in::readAllBytes).isInstanceOf(java.net.SocketTimeoutException.class);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void anAnswerSentBeforeTheServerReadTheUploadIsReported() throws IOException {
    // distribution answers a PUT to an upload session it never opened without reading the body,
    // and closes the connection: the transport must report that answer, not a broken pipe
    HttpTransport transport = new HttpTransport(Duration.ofSeconds(5), Duration.ofSeconds(5), Proxies.none());
    byte[] blob = new byte[32 * 1024 * 1024];
    URI unknownSession = URI.create("http://" + registry.hostPort()
        + "/v2/reuse/app/blobs/uploads/0f6c9a5e-3c1d-4b1a-9a53-0a7c2a8f1d11?digest="
        + dev.holdfast.oci.reference.Digest.sha256(blob));
    HttpTransport.Reply reply = transport.send(new HttpTransport.Request("PUT", unknownSession,
        List.of(Map.entry("Content-Type", "application/octet-stream")), null,
        (out, buffer) -> out.write(blob, 0, blob.length), blob.length));
    try (InputStream body = reply.body()) {
      assertThat(reply.status()).isEqualTo(404);
      assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8))
          .contains("BLOB_UPLOAD_INVALID");
    }
  }

  @Test
  void tlsConnectionsAreKeptAliveAndCheckedBeforeAnUploadToo() throws IOException {
    try (CountingTcpProxy tlsProxy = new CountingTcpProxy(tls.port())) {
      RegistryClient tlsClient = TestClients.builder(tls).build();
      ImageReference tlsSource = ImageReference.parse(tlsProxy.hostPort() + "/reuse/app:v1");
      tlsClient.getManifest(tlsSource);
      tlsProxy.accepted.clear();
      for (Descriptor layer : layers) {
        byte[] bytes;
        try (InputStream in = tlsClient.openBlob(tlsSource, layer)) {
          bytes = in.readAllBytes();
        }
        assertThat(bytes).isEqualTo(image.readBlob(layer.digest().toString()));
        ImageReference target = ImageReference.parse(tlsProxy.hostPort() + "/reuse/tls-copy");
        tlsClient.pushBlob(target, layer, new ByteArrayInputStream(bytes));
        assertThat(tlsClient.headBlob(target, layer.digest())).contains(layer.size());
      }
      // 4 GETs, POSTs, PUTs and HEADs on one TLS connection (the proxy cannot read TLS request
      // lines); the other connection was the scheme probe's plain-HTTP try, which a loopback
      // registry gets first and which the TLS server answered with 400 and closed
      assertThat(tlsClient.blobConnectionsOpened()).isEqualTo(2);
      assertThat(tlsProxy.accepted).as("everything on the connection the manifest GET opened").isEmpty();
    }
  }
}
