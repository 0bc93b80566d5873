package dev.holdfast.cli;

import static dev.holdfast.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.cli.Cli.Run;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryMode;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --certs-d} against a real registry that requires a client certificate signed by its CA
 * ({@code http.tls.clientcas}), with skopeo, given the same certificate, as the reference client.
 */
class MutualTlsCommandIT {
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension mtls =
      RegistryExtension.builder().mode(RegistryMode.TLS).clientCertificates(true).build();

  @TempDir static Path work;
  static Skopeo skopeo;
  static WrittenImage image;

  @BeforeAll
  static void seed() {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    image = SyntheticImage.builder().layers(2).layerSize(40_000).seed(71).platforms("linux/amd64").build()
        .writeTo(work.resolve("seed"), "app");
    skopeo.push(image, source.image("lib/app:1"));
  }

  @Test
  void copiesToAndFromARegistryThatRequiresAClientCertificate() throws IOException {
    Path certsD = certsD("full", "ca.crt", "client.cert", "client.key");

    Run push = run("copy", "--certs-d", certsD.toString(), source.hostPort() + "/lib/app:1",
        mtls.hostPort() + "/lib/app:1");
    assertThat(push.exitCode()).as(push.err()).isZero();
    assertThat(skopeo.digestOf(mtls.image("lib/app:1"))).isEqualTo(image.digest());

    Run pull = run("copy", "--certs-d", certsD.toString(), mtls.hostPort() + "/lib/app:1",
        source.hostPort() + "/back/app:1");
    assertThat(pull.exitCode()).as(pull.err()).isZero();
    assertThat(skopeo.digestOf(source.image("back/app:1"))).isEqualTo(image.digest());
  }

  @Test
  void withoutAClientCertificateTheCopyFailsAndSaysWhatIsMissing() throws IOException {
    Path certsD = certsD("ca-only", "ca.crt");
    Run run = run("copy", "--certs-d", certsD.toString(), source.hostPort() + "/lib/app:1",
        mtls.hostPort() + "/refused/app:1");
    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
    assertThat(run.out() + run.err()).contains("it asks for a client certificate it accepts (mutual TLS); give one"
        + " as client.cert and client.key in a certs.d directory for " + mtls.hostPort() + " (--certs-d)");
    assertThat(skopeo.tryInspectRaw(mtls.image("refused/app:1")).succeeded()).isFalse();
  }

  @Test
  void aClientCertificateWithoutItsKeyIsAUsageError() throws IOException {
    Path certsD = certsD("no-key", "ca.crt", "client.cert");
    Run run = run("copy", "--certs-d", certsD.toString(), source.hostPort() + "/lib/app:1",
        mtls.hostPort() + "/unused/app:1");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--certs-d: " + certsD.resolve(mtls.hostPort()).resolve("client.cert")
        + " has no private key client.key beside it");
  }

  /** A certs.d root with a directory for the mTLS registry holding these files of its test CA. */
  private static Path certsD(String name, String... files) throws IOException {
    Path registryDir = Files.createDirectories(work.resolve(name).resolve(mtls.hostPort()));
    for (String file : files) {
      Files.copy(mtls.ca().certDir().resolve(file), registryDir.resolve(file));
    }
    return work.resolve(name);
  }
}
