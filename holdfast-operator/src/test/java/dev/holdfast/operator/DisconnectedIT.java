package dev.holdfast.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disconnected cluster, OpenShift style: the source registry is never reachable, images come from
 * mirrors declared in ImageDigestMirrorSets, ImageTagMirrorSets and ImageContentSourcePolicies, and
 * the mirrors' CAs are published in trusted-ca-bundle and additionalTrustedCA. The OpenShift kinds
 * are minimal CRDs written from their API field names (src/test/resources/openshift/crds.yaml).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DisconnectedIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension plainSource = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension mirrorA = RegistryExtension.tls();
  @RegisterExtension static final RegistryExtension mirrorB = RegistryExtension.tls();
  @RegisterExtension static final RegistryExtension mirrorC = RegistryExtension.tls();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.plain();
  @TempDir static Path work;

  static final AtomicInteger sourceConnections = new AtomicInteger();
  static ServerSocket source;
  static Thread sourceAcceptor;
  static Skopeo skopeo;
  static WrittenImage pinned;
  static WrittenImage tagged;
  static HoldfastOperator operator;
  static String sourceHost;

  @BeforeAll
  static void start() throws IOException {
    // The source: a port that counts connections and never answers like a registry.
    source = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    sourceHost = "127.0.0.1:" + source.getLocalPort();
    sourceAcceptor = Thread.ofPlatform().daemon().start(() -> {
      while (!source.isClosed()) {
        try (Socket ignored = source.accept()) {
          sourceConnections.incrementAndGet();
        } catch (IOException e) {
          return;
        }
      }
    });
    skopeo = Skopeo.create(work.resolve("skopeo"));
    Path layout = work.resolve("layout");
    pinned = SyntheticImage.builder().seed(51).layers(1).layerSize(20_000).multiArch().build().writeTo(layout, "app");
    tagged = SyntheticImage.builder().seed(52).layers(1).layerSize(20_000).platforms("linux/amd64").build()
        .writeTo(layout, "tagged");
    skopeo.push(pinned, plainSource.image("plain/app:1"));
    skopeo.push(pinned, mirrorA.image("mirror/team/app:stored"));
    skopeo.push(tagged, mirrorA.image("mirror/tagged:1"));
    skopeo.push(pinned, mirrorA.image("mirror/legacy/app:stored"));
    skopeo.push(pinned, mirrorB.image("mirror/perhost/app:stored"));
    skopeo.push(pinned, mirrorC.image("mirror/elsewhere/app:stored"));
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
    kube.apply("""
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: disconnected}
        spec:
          destination: {registry: "%s", repository: keep}
          namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: "%s"}}
          rewrite: None
        """.formatted(destination.hostPort(), kube.namespace()));
    operator = new HoldfastOperator(kube.plane().newClient(), OperatorSettings.defaults("holdfast-system")
        .withRetry(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(3)));
    operator.start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (operator != null) {
      operator.close();
    }
    source.close();
    kube.client().resources(ImageCopy.class).delete();
    kube.client().resources(ImagePolicy.class).delete();
  }

  private static String deployment(String name, String image) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %s}
        spec:
          replicas: 0
          selector: {matchLabels: {app: %s}}
          template:
            metadata: {labels: {app: %s}}
            spec:
              containers: [{name: c, image: "%s"}]
        """.formatted(name, name, name, image);
  }

  private static Optional<ImageCopy> copyOf(String source) {
    return kube.client().resources(ImageCopy.class).list().getItems().stream()
        .filter(c -> c.getSpec().getSource().equals(source)).findFirst();
  }

  private static ImageCopy awaitReady(String source) {
    kube.await("a verified copy of " + source, () -> copyOf(source).filter(CopyStatus::isReady).isPresent());
    return copyOf(source).orElseThrow();
  }

  private static String reason(String source) {
    return copyOf(source).flatMap(c -> Optional.ofNullable(c.getStatus()))
        .flatMap(s -> Conditions.get(s.getConditions(), CopyStatus.READY)).map(c -> c.getReason()).orElse("");
  }

  @Test
  @Order(1)
  void withoutTheOpenShiftKindsAPlainClusterBehavesAsBeforeAndTheyArePickedUpWhenInstalled() throws IOException {
    kube.apply(deployment("plain", plainSource.hostPort() + "/plain/app:1"));
    awaitReady(plainSource.hostPort() + "/plain/app:1");

    kube.apply(Files.readString(Path.of("src/test/resources/openshift/crds.yaml"), StandardCharsets.UTF_8));
    kube.await("the OpenShift CRDs are established", () -> kube.client().apiextensions().v1()
        .customResourceDefinitions().list().getItems().stream()
        .filter(c -> c.getSpec().getGroup().endsWith("openshift.io"))
        .filter(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
            .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True"))).count() == 5);
    String broken = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    kube.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
        .withName("openshift-config-managed").endMetadata().build()).serverSideApply();
    kube.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
        .withName("openshift-config").endMetadata().build()).serverSideApply();
    kube.client().configMaps().inNamespace("openshift-config-managed").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("trusted-ca-bundle").endMetadata()
        .withData(Map.of("ca-bundle.crt", mirrorA.ca().caPem() + broken)).build()).serverSideApply();
    kube.client().configMaps().inNamespace("openshift-config").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("registry-cas").endMetadata()
        .withData(Map.of(mirrorB.hostPort().replace(":", ".."), mirrorB.ca().caPem(),
            // mirror C's CA, filed under mirror B's name: it must not be trusted for mirror C
            mirrorB.hostPort().replace(":", "..") + "-not-a-host", mirrorC.ca().caPem())).build()).serverSideApply();
    kube.apply("""
        apiVersion: config.openshift.io/v1
        kind: Image
        metadata: {name: cluster}
        spec:
          additionalTrustedCA: {name: registry-cas}
        ---
        apiVersion: config.openshift.io/v1
        kind: ImageDigestMirrorSet
        metadata: {name: team}
        spec:
          imageDigestMirrors:
          - {source: "%1$s/team", mirrors: ["%2$s/mirror/team"], mirrorSourcePolicy: NeverContactSource}
          - {source: "%1$s/perhost", mirrors: ["%3$s/mirror/perhost"], mirrorSourcePolicy: NeverContactSource}
          - {source: "%1$s/elsewhere", mirrors: ["%4$s/mirror/elsewhere"], mirrorSourcePolicy: NeverContactSource}
        ---
        apiVersion: config.openshift.io/v1
        kind: ImageTagMirrorSet
        metadata: {name: tags}
        spec:
          imageTagMirrors:
          - {source: "%1$s/tagged", mirrors: ["%2$s/mirror/tagged"], mirrorSourcePolicy: NeverContactSource}
        ---
        apiVersion: operator.openshift.io/v1alpha1
        kind: ImageContentSourcePolicy
        metadata: {name: legacy}
        spec:
          repositoryDigestMirrors:
          - {source: "%1$s/legacy", mirrors: ["%2$s/mirror/legacy"]}
        """.formatted(sourceHost, mirrorA.hostPort(), mirrorB.hostPort(), mirrorC.hostPort()));
    kube.await("the operator has the cluster's mirror sets", () -> {
      ImagePolicy policy = kube.client().resources(ImagePolicy.class).withName("disconnected").get();
      return policy.getStatus() != null && Conditions.get(policy.getStatus().getConditions(), "MirrorsResolved")
          .filter(c -> c.getMessage().contains("ImageDigestMirrorSet team")
              && c.getMessage().contains("ImageTagMirrorSet tags")
              && c.getMessage().contains("ImageContentSourcePolicy legacy")).isPresent();
    });
    assertThat(sourceConnections).hasValue(0);
  }

  @Test
  @Order(2)
  void aDigestPinnedImageIsCopiedThroughTheMirrorAndTheBlockedSourceIsNeverContacted() {
    String image = sourceHost + "/team/app@" + pinned.digest();
    kube.apply(deployment("pinned", image));
    ImageCopy copy = awaitReady(image);
    assertThat(copy.getStatus().getDigest()).isEqualTo(pinned.digest());
    assertThat(copy.getStatus().getServedFrom()).startsWith(mirrorA.hostPort() + "/mirror/team/app");
    assertThat(sourceConnections).hasValue(0);
    kube.await("the policy names the skipped PEM block", () -> {
      ImagePolicy policy = kube.client().resources(ImagePolicy.class).withName("disconnected").get();
      return policy.getStatus() != null && Conditions.get(policy.getStatus().getConditions(), "TrustBundles")
          .filter(c -> c.getStatus().equals("False") && c.getMessage().contains("trusted-ca-bundle")
              && c.getMessage().contains("block 2")).isPresent();
    });
  }

  @Test
  @Order(3)
  void aTagMirrorSetServesATagAndAnImageContentSourcePolicyStillWorks() {
    String byTag = sourceHost + "/tagged:1";
    String legacy = sourceHost + "/legacy/app@" + pinned.digest();
    kube.apply(deployment("tagged", byTag));
    kube.apply(deployment("legacy", legacy));
    assertThat(awaitReady(byTag).getStatus().getDigest()).isEqualTo(tagged.digest());
    assertThat(awaitReady(legacy).getStatus().getServedFrom()).startsWith(mirrorA.hostPort() + "/mirror/legacy");
    assertThat(sourceConnections).hasValue(0);
  }

  @Test
  @Order(4)
  void aPerHostCaIsTrustedForItsHostAndNoOther() {
    String perHost = sourceHost + "/perhost/app@" + pinned.digest();
    String elsewhere = sourceHost + "/elsewhere/app@" + pinned.digest();
    kube.apply(deployment("per-host", perHost));
    kube.apply(deployment("elsewhere", elsewhere));
    awaitReady(perHost);
    kube.await("the copy from mirror C fails: its CA is filed under another host",
        () -> copyOf(elsewhere).map(CopyStatus::failures).orElse(0) >= 1);
    assertThat(CopyStatus.isReady(copyOf(elsewhere).orElseThrow())).isFalse();
    assertThat(sourceConnections).hasValue(0);
  }

  @Test
  @Order(5)
  void afterTheCaIsRotatedCopiesSucceedAgainstTheReissuedMirror() {
    mirrorA.stop();
    mirrorA.ca().rotate();
    mirrorA.start();
    kube.client().configMaps().inNamespace("openshift-config-managed").withName("trusted-ca-bundle")
        .edit(cm -> new ConfigMapBuilder(cm).withData(Map.of("ca-bundle.crt", mirrorA.ca().caPem())).build());
    String image = sourceHost + "/team/app:after-rotation@" + pinned.digest();
    kube.apply(deployment("rotated", image));
    assertThat(awaitReady(image).getStatus().getServedFrom()).startsWith(mirrorA.hostPort());
    assertThat(sourceConnections).hasValue(0);
  }

  @Test
  @Order(6)
  void whenRbacRefusesTheMirrorSetsThePolicySaysSoAndNothingContactsTheSource() {
    operator.close();
    kube.apply("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: holdfast-without-idms}
        rules:
        - apiGroups: ["", apps, batch, holdfast.dev, coordination.k8s.io, events.k8s.io, apiextensions.k8s.io,
            operator.openshift.io, admissionregistration.k8s.io]
          resources: ["*"]
          verbs: ["*"]
        - apiGroups: [config.openshift.io]
          resources: [imagetagmirrorsets, images, proxies]
          verbs: ["*"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: holdfast-without-idms}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: holdfast-without-idms}
        subjects: [{kind: User, name: holdfast-restricted}]
        """);
    Config restricted = new ConfigBuilder(kube.plane().config()).withImpersonateUsername("holdfast-restricted")
        .build();
    try (var client = new KubernetesClientBuilder().withConfig(restricted).build();
        HoldfastOperator limited = new HoldfastOperator(client, OperatorSettings.defaults("holdfast-system"))) {
      limited.start();
      String image = sourceHost + "/team/app:refused@" + pinned.digest();
      kube.apply(deployment("refused", image));
      kube.await("the policy says the mirror sets cannot be read", () -> {
        ImagePolicy policy = kube.client().resources(ImagePolicy.class).withName("disconnected").get();
        return Conditions.get(policy.getStatus().getConditions(), "MirrorsResolved")
            .filter(c -> c.getStatus().equals("False") && c.getMessage().contains("ImageDigestMirrorSet")
                && c.getMessage().contains("forbidden")).isPresent();
      });
      kube.await("the copy waits", () -> reason(image).equals("MirrorsUnresolved"));
      assertThat(sourceConnections).hasValue(0);
    }
  }
}
