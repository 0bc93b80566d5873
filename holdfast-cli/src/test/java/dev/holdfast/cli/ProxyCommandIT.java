package dev.holdfast.cli;

import static dev.holdfast.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.cli.Cli.Run;
import dev.holdfast.oci.testing.ForwardProxy;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code --proxy}: copies go through a real forward proxy (tinyproxy), and a bad proxy is a usage error. */
class ProxyCommandIT {
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();

  @TempDir static Path work;
  static ForwardProxy proxy;
  static WrittenImage image;

  @BeforeAll
  static void seed() {
    image = SyntheticImage.builder().seed(91).layers(1).layerSize(30_000).build().writeTo(work.resolve("seed"), "app");
    Skopeo.create(work.resolve("skopeo")).push(image, source.image("proxied/app:1"));
    proxy = ForwardProxy.start(work.resolve("proxy"));
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  @Test
  void aCopyGoesThroughTheProxyThatProxyNames() {
    Run copy = run("copy", "--proxy", proxy.url(), "docker://" + source.hostPort() + "/proxied/app:1",
        "oci:" + work.resolve("copies") + ":app");

    assertThat(copy.exitCode()).as(copy.err()).isZero();
    assertThat(copy.out()).contains(image.digest());
    assertThat(proxy.requests()).contains("GET http://" + source.hostPort() + "/v2/proxied/app/manifests/1 HTTP/1.1");
  }

  @Test
  void aProxyThatIsNotAnHttpUrlIsAUsageErrorNamingTheOption() {
    Run copy = run("copy", "--proxy", "socks5://127.0.0.1:1080", "docker://" + source.hostPort() + "/proxied/app:1",
        "oci:" + work.resolve("never") + ":app");

    assertThat(copy.exitCode()).isEqualTo(2);
    assertThat(copy.err())
        .startsWith("holdfast copy: --proxy: socks5://127.0.0.1:1080: only http:// proxies are supported")
        .doesNotContain("Usage:");
    assertThat(work.resolve("never")).doesNotExist();
  }
}
