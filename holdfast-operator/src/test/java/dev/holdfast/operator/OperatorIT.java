package dev.holdfast.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.policy.RegistryCredentials;
import dev.holdfast.operator.rewrite.OriginalImages;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The operator on a real control plane, copying from real registries into an htpasswd registry. */
class OperatorIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.basicAuth();
  @TempDir static Path work;

  static Skopeo skopeo;
  static WrittenImage multiArch;
  static HoldfastOperator operator;

  @BeforeAll
  static void start() throws IOException {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    multiArch = SyntheticImage.builder().seed(11).layers(2).layerSize(30_000).multiArch().build()
        .writeTo(work.resolve("layout"), "app");
    skopeo.push(multiArch, source.image("demo/app:1"));
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
    ImagePolicySpec spec = new ImagePolicySpec(ImagePolicySpec.Destination.of(destination.hostPort(), "keep"),
        null, List.of(), null, null, null, null, null, null);
    Credential.Basic push = new Credential.Basic(destination.credentials().username(),
        destination.credentials().password());
    OperatorSettings settings = OperatorSettings.defaults("holdfast-system")
        .withImplicitPolicy(new OperatorSettings.ImplicitPolicy(spec,
            new RegistryCredentials(Optional.of(push), Optional.empty())))
        .withTrust(List.of(PemBundle.read(destination.ca().caFile())), List.of());
    operator = new HoldfastOperator(kube.plane().newClient(), settings);
    operator.start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void copiesVerifiesAndPatchesADeployment() {
    kube.apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              imagePullSecrets: [{name: keep-me}]
              containers: [{name: web, image: "%s/demo/app:1"}]
        """.formatted(source.hostPort()));

    kube.await("the Deployment points at the verified copy", () -> {
      Deployment web = kube.client().apps().deployments().inNamespace(kube.namespace()).withName("web").get();
      return web.getSpec().getTemplate().getSpec().getContainers().get(0).getImage().startsWith(destination.hostPort());
    });
    ImageCopy copy = kube.client().resources(ImageCopy.class).list().getItems().stream()
        .filter(c -> c.getSpec().getSource().equals(source.hostPort() + "/demo/app:1")).findFirst().orElseThrow();
    assertThat(CopyStatus.isReady(copy)).isTrue();
    assertThat(copy.getStatus().getDigest()).isEqualTo(skopeo.digestOf(source.image("demo/app:1")));
    assertThat(copy.getStatus().getPlatforms()).containsExactly("linux/amd64", "linux/arm64");

    Deployment web = kube.client().apps().deployments().inNamespace(kube.namespace()).withName("web").get();
    String image = web.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    assertThat(image).isEqualTo(copy.getStatus().getCopy()).endsWith(":1@" + multiArch.digest());
    String repository = image.substring(destination.hostPort().length() + 1, image.lastIndexOf(':', image.indexOf('@')));
    assertThat(skopeo.digestOf(destination.image(repository + "@" + multiArch.digest()))).isEqualTo(multiArch.digest());
    assertThat(web.getSpec().getTemplate().getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
        .containsExactly("keep-me", "holdfast-pull");
    assertThat(OriginalImages.read(web.getMetadata().getAnnotations()))
        .containsEntry("containers/web", source.hostPort() + "/demo/app:1");
    Secret pull = kube.client().secrets().inNamespace(kube.namespace()).withName("holdfast-pull").get();
    assertThat(pull.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
    assertThat(pull.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "holdfast");
  }
}
