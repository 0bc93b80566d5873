package dev.holdfast.oci.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.copy.CopyEngine;
import dev.holdfast.oci.copy.CopyOptions;
import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.CopyResult;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.registry.RegistryUnavailableException;
import dev.holdfast.oci.registry.RetryPolicy;
import dev.holdfast.oci.testing.ForwardProxy;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.oci.tls.TrustConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies through a real forward proxy on loopback (tinyproxy): plain HTTP as proxied requests,
 * HTTPS in a CONNECT tunnel, both named by the environment as users set it; NO_PROXY bypasses the
 * proxy; a proxy that refuses the tunnel, or cannot be reached, is reported in words.
 */
class ProxyIT {
  @RegisterExtension static final RegistryExtension plain = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension tls = RegistryExtension.tls();

  @TempDir static Path work;
  static ForwardProxy proxy;
  static WrittenImage image;

  @BeforeAll
  static void seed() {
    image = SyntheticImage.builder().seed(71).layers(2).layerSize(50_000).multiArch().build()
        .writeTo(work.resolve("layout"), "app");
    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    skopeo.push(image, plain.image("proxied/app:1"));
    skopeo.push(image, tls.image("proxied/app:1"));
    proxy = ForwardProxy.start(work.resolve("proxy"));
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  private static RegistryClient client(Map<String, String> environment) {
    return RegistryClient.builder()
        .trust(TrustConfig.builder().addGlobalBundle(PemBundle.parse("test CA", tls.ca().caPem())).build())
        .proxies(Proxies.fromEnvironment(environment))
        .retryPolicy(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofSeconds(1)))
        .build();
  }

  private static CopyResult copy(RegistryClient client, RegistryExtension registry, String into) {
    ImageLocation source = ImageLocation.parse("docker://" + registry.hostPort() + "/proxied/app:1");
    try (CopyEngine engine = CopyEngine.builder(client).build()) {
      return engine.copyAll(List.of(CopyRequest.of(source,
          ImageLocation.parse("oci:" + work.resolve(into) + ":app"), CopyOptions.defaults()))).get(0);
    }
  }

  private static List<String> requestsTo(String hostPort) {
    return proxy.requests().stream().filter(line -> line.contains(hostPort)).toList();
  }

  @Test
  void plainHttpGoesThroughTheProxyThatHttpProxyNames() {
    try (RegistryClient client = client(Map.of("HTTP_PROXY", proxy.url()))) {
      CopyResult result = copy(client, plain, "via-http-proxy");

      assertThat(result).isInstanceOfSatisfying(CopyResult.Copied.class,
          copied -> assertThat(copied.digest().toString()).isEqualTo(image.digest()));
    }
    assertThat(requestsTo(plain.hostPort()))
        .contains("GET http://" + plain.hostPort() + "/v2/ HTTP/1.1")
        .anyMatch(line -> line.startsWith("GET http://" + plain.hostPort() + "/v2/proxied/app/blobs/sha256:"));
  }

  @Test
  void httpsGoesThroughTheProxyInAConnectTunnel() {
    try (RegistryClient client = client(Map.of("https_proxy", proxy.url()))) {
      CopyResult result = copy(client, tls, "via-https-proxy");

      assertThat(result).isInstanceOfSatisfying(CopyResult.Copied.class,
          copied -> assertThat(copied.digest().toString()).isEqualTo(image.digest()));
    }
    // the tunnel carries the requests; the proxy sees only where it leads
    assertThat(requestsTo(tls.hostPort())).isNotEmpty().allMatch(line -> line.equals("CONNECT " + tls.hostPort()
        + " HTTP/1.1"));
  }

  @Test
  void noProxyBypassesTheProxy() {
    int before = proxy.requests().size();
    Map<String, String> environment = Map.of("HTTP_PROXY", proxy.url(), "HTTPS_PROXY", proxy.url(),
        "NO_PROXY", "example.com, 127.0.0.0/8");
    try (RegistryClient client = client(environment)) {
      assertThat(copy(client, plain, "direct-plain")).isInstanceOf(CopyResult.Copied.class);
      assertThat(copy(client, tls, "direct-tls")).isInstanceOf(CopyResult.Copied.class);
    }
    assertThat(proxy.requests()).hasSize(before);
  }

  @Test
  void aProxyThatRefusesTheTunnelIsNamedWithItsAnswer() {
    try (ForwardProxy strict = ForwardProxy.start(work.resolve("strict-proxy"), "ConnectPort 443");
        RegistryClient client = client(Map.of("HTTPS_PROXY", strict.url()))) {
      ImageReference app = ImageReference.parse(tls.hostPort() + "/proxied/app:1");
      assertThatThrownBy(() -> client.getManifest(app))
          .isInstanceOf(RegistryUnavailableException.class)
          .hasMessageContaining("the proxy " + strict.url() + " refused to open a tunnel to " + tls.hostPort()
              + " (HTTP 403");
    }
  }

  @Test
  void aProxyThatCannotBeReachedIsNamed() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    try (RegistryClient client = client(Map.of("HTTP_PROXY", "http://user:secret@127.0.0.1:" + closed))) {
      ImageReference app = ImageReference.parse(plain.hostPort() + "/proxied/app:1");
      assertThatThrownBy(() -> client.getManifest(app))
          .isInstanceOf(RegistryUnavailableException.class)
          .hasMessageContaining("cannot connect to the proxy http://127.0.0.1:" + closed + " (connection refused)")
          .hasMessageNotContaining("secret");
    }
  }
}
