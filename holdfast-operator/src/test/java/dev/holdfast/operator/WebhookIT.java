package dev.holdfast.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.policy.RegistryCredentials;
import dev.holdfast.operator.rewrite.OriginalImages;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import dev.holdfast.operator.webhook.Webhook;
import dev.holdfast.operator.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admission webhook, called by the real API server over HTTPS with the operator's own CA: Pods
 * are pointed at verified copies (Webhook mode) or at a confirmed mirror (Redirect mode) at creation,
 * and their workloads stay as written.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhookIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension mirror = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.basicAuth();
  @TempDir static Path work;

  static WrittenImage app;
  static WrittenImage nats;
  static HoldfastOperator operator;
  static String edge;

  @BeforeAll
  static void start() throws IOException {
    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    Path layout = work.resolve("layout");
    app = SyntheticImage.builder().seed(41).layers(1).layerSize(20_000).multiArch().build().writeTo(layout, "app");
    nats = SyntheticImage.builder().seed(42).layers(1).layerSize(20_000).platforms("linux/amd64").build()
        .writeTo(layout, "nats");
    skopeo.push(app, source.image("shop/app:1"));
    skopeo.push(app, source.image("shop/later:1"));
    skopeo.push(app, source.image("shop/debug:1"));
    skopeo.push(nats, mirror.image("docker-mirror/library/nats:2.10.26-alpine"));
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
    edge = kube.newNamespace("edge", Map.of("site", "edge"));
    kube.apply("""
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: edge-redirect}
        spec:
          destination: {registry: "%1$s"}
          namespaceSelector: {matchLabels: {site: edge}}
          rewrite: Redirect
          redirects:
          - {src: docker.io/, to: "%1$s/docker-mirror/"}
          - {src: ghcr.io/, to: "%1$s/ghcr-mirror/"}
        """.formatted(mirror.hostPort()));

    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    WebhookSettings webhook = new WebhookSettings(new InetSocketAddress("127.0.0.1", port),
        new WebhookSettings.Registration.Url(URI.create("https://127.0.0.1:" + port + "/mutate")), "Ignore",
        WebhookSettings.Certificates.SELF, WebhookSettings.DEFAULT_SECRET);
    ImagePolicySpec spec = new ImagePolicySpec(ImagePolicySpec.Destination.of(destination.hostPort(), "keep"),
        null, List.of(), null, null, null, ImagePolicySpec.RewriteMode.Webhook, null, null);
    OperatorSettings settings = OperatorSettings.defaults(kube.newNamespace("holdfast-system"))
        .withImplicitPolicy(new OperatorSettings.ImplicitPolicy(spec, new RegistryCredentials(Optional.of(
            new Credential.Basic(destination.credentials().username(), destination.credentials().password())),
            Optional.empty())))
        .withTrust(List.of(PemBundle.read(destination.ca().caFile())), List.of())
        .withWebhook(webhook);
    operator = new HoldfastOperator(kube.plane().newClient(), settings);
    operator.start();
    kube.await("the webhook configuration is registered with a CA bundle", () -> {
      MutatingWebhookConfiguration config = kube.client().admissionRegistration().v1()
          .mutatingWebhookConfigurations().withName(WebhookSettings.CONFIGURATION).get();
      return config != null && config.getWebhooks().get(0).getClientConfig().getCaBundle() != null;
    });
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    kube.client().admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName(WebhookSettings.CONFIGURATION).delete();
    kube.client().resources(ImageCopy.class).delete();
    kube.client().resources(ImagePolicy.class).delete();
  }

  private static String src(String repositoryAndTag) {
    return source.hostPort() + "/" + repositoryAndTag;
  }

  private static ImageCopy awaitReady(String normalizedSource) {
    kube.await("a verified copy of " + normalizedSource, () -> kube.client().resources(ImageCopy.class).list()
        .getItems().stream().anyMatch(c -> c.getSpec().getSource().equals(normalizedSource) && CopyStatus.isReady(c)));
    return kube.client().resources(ImageCopy.class).list().getItems().stream()
        .filter(c -> c.getSpec().getSource().equals(normalizedSource)).findFirst().orElseThrow();
  }

  private static Pod bare(String name, String image) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage(image).endContainer().endSpec().build();
  }

  @Test
  @Order(1)
  void podsOfADeploymentNameTheVerifiedCopiesAndTheDeploymentStaysAsWritten() {
    kube.apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: shop}
        spec:
          replicas: 0
          selector: {matchLabels: {app: shop}}
          template:
            metadata: {labels: {app: shop}}
            spec:
              imagePullSecrets: [{name: team-pull}]
              containers: [{name: app, image: "%s"}]
        """.formatted(src("shop/app:1")));
    ImageCopy copy = awaitReady(src("shop/app:1"));
    kube.await("the pull secret the Pods will need", () ->
        kube.client().secrets().inNamespace(kube.namespace()).withName("holdfast-pull").get() != null);

    kube.client().apps().deployments().inNamespace(kube.namespace()).withName("shop").scale(2);
    kube.await("two Pods of shop", () -> kube.client().pods().inNamespace(kube.namespace()).withLabel("app", "shop")
        .list().getItems().size() == 2);

    for (Pod pod : kube.client().pods().inNamespace(kube.namespace()).withLabel("app", "shop").list().getItems()) {
      assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo(copy.getStatus().getCopy());
      assertThat(pod.getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
          .containsExactly("team-pull", "holdfast-pull");
      assertThat(OriginalImages.read(pod.getMetadata().getAnnotations()))
          .containsExactly(Map.entry("containers/app", src("shop/app:1")));
    }
    var template = kube.client().apps().deployments().inNamespace(kube.namespace()).withName("shop").get()
        .getSpec().getTemplate();
    assertThat(template.getSpec().getContainers().get(0).getImage()).isEqualTo(src("shop/app:1"));
    assertThat(template.getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
        .containsExactly("team-pull");
  }

  @Test
  @Order(2)
  void anImageWithoutACopyIsAdmittedUnchangedAndCopiedAfterwards() {
    Pod created = kube.client().pods().inNamespace(kube.namespace()).resource(bare("later", src("shop/later:1")))
        .create();
    assertThat(created.getSpec().getContainers().get(0).getImage()).isEqualTo(src("shop/later:1"));
    awaitReady(src("shop/later:1"));
    Pod second = kube.client().pods().inNamespace(kube.namespace()).resource(bare("later-2", src("shop/later:1")))
        .create();
    assertThat(second.getSpec().getContainers().get(0).getImage()).startsWith(destination.hostPort() + "/keep/");
  }

  @Test
  @Order(3)
  void anEphemeralContainerAddedThroughTheSubresourceIsRewritten() {
    awaitReady(src("shop/app:1"));
    // A running Pod's pull secrets cannot change: an ephemeral container is pointed at a copy only when
    // the Pod can pull it, as one that lists the pull secret can.
    Pod debugged = bare("debugged", "busybox-not-covered:1");
    debugged.getSpec().getImagePullSecrets().add(new LocalObjectReference("holdfast-pull"));
    kube.client().pods().inNamespace(kube.namespace()).resource(debugged).create();
    // the debug image's copy first, through a Pod that names it
    kube.client().pods().inNamespace(kube.namespace()).resource(bare("debug-source", src("shop/debug:1"))).create();
    ImageCopy debug = awaitReady(src("shop/debug:1"));

    kube.client().pods().inNamespace(kube.namespace()).withName("debugged").ephemeralContainers().edit(pod ->
        new PodBuilder(pod).editSpec().addToEphemeralContainers(new EphemeralContainerBuilder()
            .withName("debugger").withImage(src("shop/debug:1")).build()).endSpec().build());

    Pod stored = kube.client().pods().inNamespace(kube.namespace()).withName("debugged").get();
    assertThat(stored.getSpec().getEphemeralContainers()).singleElement()
        .satisfies(c -> assertThat(c.getImage()).isEqualTo(debug.getStatus().getCopy()));
  }

  @Test
  @Order(4)
  void afterAForcedCertificateRotationTheApiServerStillCallsTheWebhook() {
    Secret before = kube.client().secrets().inNamespace(operatorNamespace()).withName(WebhookSettings.DEFAULT_SECRET)
        .get();
    kube.client().secrets().inNamespace(operatorNamespace()).withName(WebhookSettings.DEFAULT_SECRET)
        .edit(s -> {
          s.getMetadata().getAnnotations().put(Webhook.ROTATE_ANNOTATION, "now");
          return s;
        });
    kube.await("a new serving certificate", () -> !kube.client().secrets().inNamespace(operatorNamespace())
        .withName(WebhookSettings.DEFAULT_SECRET).get().getData().get("tls.crt")
        .equals(before.getData().get("tls.crt")));
    Secret after = kube.client().secrets().inNamespace(operatorNamespace()).withName(WebhookSettings.DEFAULT_SECRET)
        .get();
    assertThat(after.getData().get("ca.crt")).isEqualTo(before.getData().get("ca.crt"));
    assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(Webhook.ROTATE_ANNOTATION);

    for (int i = 0; i < 5; i++) {
      Pod pod = kube.client().pods().inNamespace(kube.namespace()).resource(bare("after-rotation-" + i,
          src("shop/app:1"))).create();
      assertThat(pod.getSpec().getContainers().get(0).getImage()).as("Pod %d after the rotation", i)
          .startsWith(destination.hostPort() + "/keep/");
    }
  }

  @Test
  @Order(5)
  void redirectModePointsPodsAtTheMirrorWhenItHoldsTheImageAndOnlyThen() {
    // a workload naming the images makes the operator ask the mirror
    kube.client().apps().deployments().inNamespace(edge).resource(kube.client().getKubernetesSerialization()
        .unmarshal("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: edge-apps}
            spec:
              replicas: 0
              selector: {matchLabels: {app: edge}}
              template:
                metadata: {labels: {app: edge}}
                spec:
                  containers:
                  - {name: nats, image: "docker.io/nats:2.10.26-alpine"}
                  - {name: redis, image: "docker.io/library/redis:7"}
            """, io.fabric8.kubernetes.api.model.apps.Deployment.class)).create();
    kube.await("the mirror was asked for both images", () -> mirror.requests().stream()
        .filter(r -> r.method().equals("HEAD") && r.path().contains("/manifests/")).map(r -> r.path()).distinct()
        .count() >= 2);

    kube.await("a Pod names the mirror location", () -> {
      String name = "nats-" + System.nanoTime();
      Pod pod = kube.client().pods().inNamespace(edge).resource(bare(name, "docker.io/nats:2.10.26-alpine")).create();
      return pod.getSpec().getContainers().get(0).getImage()
          .equals(mirror.hostPort() + "/docker-mirror/library/nats:2.10.26-alpine");
    });
    Pod redis = kube.client().pods().inNamespace(edge).resource(bare("redis", "docker.io/library/redis:7")).create();
    assertThat(redis.getSpec().getContainers().get(0).getImage()).isEqualTo("docker.io/library/redis:7");
    assertThat(kube.client().resources(ImageCopy.class).list().getItems())
        .noneMatch(c -> c.getSpec().getSource().contains("nats"));
  }

  @Test
  @Order(6)
  void withTheOperatorStoppedPodsAreStillCreatedUnchanged() {
    operator.close();
    Pod pod = kube.client().pods().inNamespace(kube.namespace()).resource(bare("operator-down", src("shop/app:1")))
        .create();
    assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo(src("shop/app:1"));
  }

  private static String operatorNamespace() {
    return operator == null ? null : kube.client().secrets().inAnyNamespace()
        .withLabel("app.kubernetes.io/managed-by", "holdfast").list().getItems().stream()
        .filter(s -> s.getMetadata().getName().equals(WebhookSettings.DEFAULT_SECRET))
        .findFirst().orElseThrow().getMetadata().getNamespace();
  }

}
