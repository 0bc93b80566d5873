package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.RegistryExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Failures a user reads: TLS problems in words, and a registry that is not there on this machine, at once. */
class ReadableErrorsIT {
  @RegisterExtension static final RegistryExtension tls = RegistryExtension.tls();

  @Test
  void anUntrustedCertificateIsSaidInWordsWithWhatToDo() {
    try (RegistryClient client = RegistryClient.builder().build()) { // the system roots only
      assertThatThrownBy(() -> client.getManifest(ImageReference.parse(tls.hostPort() + "/app:1")))
          .isInstanceOf(TlsException.class)
          .hasMessageContaining("the registry's certificate is not signed by a CA Holdfast trusts")
          .hasMessageContaining("--ca-file")
          .hasMessageNotContaining("PKIX")
          .hasMessageNotContaining("sun.security");
    }
  }

  @Test
  void aRefusedConnectionToThisMachineFailsFast() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    ImageReference nowhere = ImageReference.parse("127.0.0.1:" + port + "/app:1");
    try (RegistryClient client = RegistryClient.builder().build()) { // the default retries, real waits
      long start = System.nanoTime();
      assertThatThrownBy(() -> client.getManifest(nowhere))
          .isInstanceOf(RegistryUnavailableException.class)
          .hasMessageContaining("cannot connect");
      // the default backoff would wait 250 + 500 + 1000 ms (half of it at least, with jitter)
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(800));
    }
  }
}
