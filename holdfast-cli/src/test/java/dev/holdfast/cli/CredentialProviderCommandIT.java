package dev.holdfast.cli;

import static dev.holdfast.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.cli.Cli.Run;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --image-credential-provider-config}: a kubelet credential provider plugin (a real
 * program in a bin directory) gives the credentials for a registry that needs a Bearer token to
 * pull, as an ECR plugin would for ECR.
 */
class CredentialProviderCommandIT {
  @RegisterExtension static final RegistryExtension privateSource = RegistryExtension.token();
  @RegisterExtension static final RegistryExtension target = RegistryExtension.plain();

  /** Answers with the credentials in $USERNAME/$PASSWORD for $KEY, and logs each request to $LOG. */
  private static final String PLUGIN = """
      #!/usr/bin/env bash
      cat >> "$LOG"; echo >> "$LOG"
      if [[ $USERNAME == fail ]]; then echo "the cloud said no" >&2; exit 1; fi
      printf '{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderResponse",'
      printf '"cacheKeyType":"Registry","cacheDuration":"10m","auth":{"%s":{"username":"%s","password":"%s"}}}' \\
        "$KEY" "$USERNAME" "$PASSWORD"
      """;

  @TempDir static Path work;
  static WrittenImage image;
  static Path bin;

  @BeforeAll
  static void seed() throws IOException {
    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    image = SyntheticImage.builder().seed(81).layers(2).layerSize(20_000).multiArch().build()
        .writeTo(work.resolve("seed"), "private");
    skopeo.push(image, privateSource.image("team/app:1"));
    bin = Files.createDirectories(work.resolve("bin"));
    Path plugin = bin.resolve("test-registry-plugin");
    Files.writeString(plugin, PLUGIN);
    Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static Path config(String name, String username, String password) throws IOException {
    Path config = work.resolve(name + ".yaml");
    Files.writeString(config, """
        apiVersion: kubelet.config.k8s.io/v1
        kind: CredentialProviderConfig
        providers:
          - name: test-registry-plugin
            matchImages: ["%1$s"]
            defaultCacheDuration: 1h
            apiVersion: credentialprovider.kubelet.k8s.io/v1
            env:
              - {name: KEY, value: "%1$s"}
              - {name: USERNAME, value: "%2$s"}
              - {name: PASSWORD, value: "%3$s"}
              - {name: LOG, value: "%4$s"}
        """.formatted(privateSource.hostPort(), username, password, work.resolve(name + ".log")));
    return config;
  }

  @Test
  void thePluginsCredentialsPullFromAPrivateRegistry() throws IOException {
    Path config = config("good", privateSource.credentials().username(), privateSource.credentials().password());

    Run run = run("copy", "--image-credential-provider-config", config.toString(),
        "--image-credential-provider-bin-dir", bin.toString(),
        privateSource.hostPort() + "/team/app:1", target.hostPort() + "/copies/app:1");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(Skopeo.create(work.resolve("check")).digestOf(target.image("copies/app:1"))).isEqualTo(image.digest());
    assertThat(Files.readString(work.resolve("good.log")))
        .as("one run for the registry (cacheKeyType Registry), with the image in the request")
        .containsOnlyOnce("CredentialProviderRequest")
        .contains("\"image\":\"" + privateSource.hostPort() + "/team/app\"");
    assertThat(privateSource.tokenServer().requests())
        .anyMatch(r -> r.hasScope("repository:team/app", "pull"));
    assertThat(run.out() + run.err()).doesNotContain(privateSource.credentials().password());
  }

  @Test
  void withoutThePluginThePullIsRefused() {
    Run run = run("copy", privateSource.hostPort() + "/team/app:1", target.hostPort() + "/refused/app:1");

    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
    assertThat(run.out() + run.err()).contains("team/app");
  }

  @Test
  void aFailingPluginFailsTheCopyAndSaysWhy() throws IOException {
    Path config = config("failing", "fail", "unused-password");

    Run run = run("copy", "--image-credential-provider-config", config.toString(),
        "--image-credential-provider-bin-dir", bin.toString(),
        privateSource.hostPort() + "/team/app:1", target.hostPort() + "/failed/app:1");

    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
    assertThat(run.out() + run.err())
        .contains("credential provider test-registry-plugin")
        .contains("the cloud said no")
        .doesNotContain("unused-password");
  }

  @Test
  void badProviderOptionsAreUsageErrors() throws IOException {
    Run alone = run("copy", "--image-credential-provider-config", config("alone", "u", "p").toString(),
        privateSource.hostPort() + "/team/app:1", target.hostPort() + "/x/app:1");
    assertThat(alone.exitCode()).isEqualTo(2);
    assertThat(alone.err()).contains("--image-credential-provider-config and --image-credential-provider-bin-dir go together");

    Path broken = work.resolve("broken.yaml");
    Files.writeString(broken, "apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders: []\n");
    Run invalid = run("copy", "--image-credential-provider-config", broken.toString(),
        "--image-credential-provider-bin-dir", bin.toString(),
        privateSource.hostPort() + "/team/app:1", target.hostPort() + "/x/app:1");
    assertThat(invalid.exitCode()).isEqualTo(2);
    assertThat(invalid.err()).contains(broken + ": providers must be a non-empty list");
  }
}
