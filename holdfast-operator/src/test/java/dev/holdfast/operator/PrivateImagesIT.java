package dev.holdfast.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryMode;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import dev.holdfast.operator.testing.CredentialScan;
import dev.holdfast.operator.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
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
 * Private images stay private (issue 25): a private source copied with namespace A's pull secret is
 * not served to namespace B through Holdfast's pull secret unless B's own credentials can read the
 * source, or the policy shares private images. The real API server calls the webhook; the source is
 * a registry with htpasswd authentication.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrivateImagesIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension privateSource =
      RegistryExtension.builder().mode(RegistryMode.BASIC_AUTH).tls(false).build();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.basicAuth();
  @TempDir static Path work;

  static HoldfastOperator operator;
  static CredentialScan.Logs logs;
  static String image;
  static String teamA;
  static String teamB;
  static String teamC;
  static String teamD;
  static String sharedWithSecret;
  static String sharedWithout;

  @BeforeAll
  static void start() throws IOException {
    logs = CredentialScan.captureLogs();
    WrittenImage secret = SyntheticImage.builder().seed(71).layers(1).layerSize(20_000).platforms("linux/amd64")
        .build().writeTo(work.resolve("layout"), "secret");
    Skopeo.create(work.resolve("skopeo")).push(secret, privateSource.image("team/secret:1"));
    image = privateSource.hostPort() + "/team/secret:1";
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
    teamA = kube.newNamespace("team-a", Map.of("tier", "tenant"));
    teamB = kube.newNamespace("team-b", Map.of("tier", "tenant"));
    teamC = kube.newNamespace("team-c", Map.of("tier", "tenant"));
    teamD = kube.newNamespace("team-d", Map.of("tier", "tenant"));
    sharedWithSecret = kube.newNamespace("shared-1", Map.of("tier", "shared"));
    sharedWithout = kube.newNamespace("shared-2", Map.of("tier", "shared"));
    for (String namespace : List.of(teamA, teamC, sharedWithSecret)) {
      kube.apply(pullSecret(namespace, "source-pull", privateSource.credentials().password()));
    }
    kube.apply(pullSecret(teamB, "wrong", "not-" + privateSource.credentials().password()));
    kube.apply("""
        apiVersion: v1
        kind: Secret
        metadata: {name: push, namespace: %1$s}
        type: kubernetes.io/basic-auth
        stringData: {username: "%2$s", password: "%3$s"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: destination-ca, namespace: %1$s}
        data: {ca.crt: "%4$s"}
        ---
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: tenants}
        spec:
          destination: {registry: "%5$s", repository: tenants, pushSecret: {namespace: %1$s, name: push},
                        ca: {namespace: %1$s, name: destination-ca}}
          namespaceSelector: {matchLabels: {tier: tenant}}
          rewrite: Webhook
        ---
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: shared}
        spec:
          destination: {registry: "%5$s", repository: shared, pushSecret: {namespace: %1$s, name: push},
                        ca: {namespace: %1$s, name: destination-ca}}
          namespaceSelector: {matchLabels: {tier: shared}}
          rewrite: Webhook
          sharePrivateImages: true
        """.formatted(kube.namespace(), destination.credentials().username(), destination.credentials().password(),
        destination.ca().caPem().replace("\n", "\\n"), destination.hostPort()));

    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    WebhookSettings webhook = new WebhookSettings(new InetSocketAddress("127.0.0.1", port),
        new WebhookSettings.Registration.Url(URI.create("https://127.0.0.1:" + port + "/mutate")), "Ignore",
        WebhookSettings.Certificates.SELF, WebhookSettings.DEFAULT_SECRET);
    operator = new HoldfastOperator(kube.plane().newClient(),
        OperatorSettings.defaults(kube.newNamespace("holdfast-system")).withWebhook(webhook));
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
    logs.close();
    kube.client().admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName(WebhookSettings.CONFIGURATION).delete();
    kube.client().resources(ImageCopy.class).delete();
    kube.client().resources(ImagePolicy.class).delete();
  }

  private static String pullSecret(String namespace, String name, String password) {
    String auth = Base64.getEncoder().encodeToString((privateSource.credentials().username() + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
    String config = Base64.getEncoder().encodeToString(("{\"auths\":{\"" + privateSource.hostPort()
        + "\":{\"auth\":\"" + auth + "\"}}}").getBytes(StandardCharsets.UTF_8));
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s, namespace: %s}
        type: kubernetes.io/dockerconfigjson
        data: {.dockerconfigjson: "%s"}
        """.formatted(name, namespace, config);
  }

  private static Pod create(String namespace, String name, String... pullSecrets) {
    PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
        .addNewContainer().withName("main").withImage(image).endContainer().endSpec();
    for (String secret : pullSecrets) {
      pod.editSpec().addNewImagePullSecret(secret).endSpec();
    }
    return kube.client().pods().inNamespace(namespace).resource(pod.build()).create();
  }

  private static String imageOf(Pod pod) {
    return pod.getSpec().getContainers().get(0).getImage();
  }

  private static Optional<ImageCopy> copyOf(String policy) {
    return kube.client().resources(ImageCopy.class).list().getItems().stream()
        .filter(c -> c.getSpec().getPolicy().equals(policy)).findFirst();
  }

  private static ImageCopy awaitCopy(String policy, String what, java.util.function.Predicate<ImageCopy> condition) {
    kube.await(what, () -> copyOf(policy).filter(condition).isPresent());
    return copyOf(policy).orElseThrow();
  }

  private static boolean lists(List<String> namespaces, String namespace) {
    return namespaces != null && namespaces.contains(namespace);
  }

  @Test
  @Order(1)
  void theNamespaceWhosePullSecretReadTheSourceIsPointedAtTheCopy() {
    Pod first = create(teamA, "first", "source-pull");
    assertThat(imageOf(first)).isEqualTo(image); // nothing copied yet

    ImageCopy copy = awaitCopy("tenants", "a verified copy of the private image", CopyStatus::isReady);
    assertThat(copy.getStatus().getPrivateSource()).isTrue();
    assertThat(copy.getStatus().getReadableIn()).containsExactly(teamA);
    kube.await("Holdfast's pull secret in " + teamA, () ->
        kube.client().secrets().inNamespace(teamA).withName("holdfast-pull-tenants").get() != null);

    Pod second = create(teamA, "second", "source-pull");
    assertThat(imageOf(second)).isEqualTo(copy.getStatus().getCopy());
    assertThat(second.getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
        .containsExactly("source-pull", "holdfast-pull-tenants");
  }

  @Test
  @Order(2)
  void aNamespaceWhosePullSecretCannotReadTheSourceIsNotPointedAtTheCopy() {
    assertThat(imageOf(create(teamB, "first", "wrong"))).isEqualTo(image);

    ImageCopy copy = awaitCopy("tenants", teamB + " is found unable to read the source",
        c -> c.getStatus() != null && lists(c.getStatus().getUnreadableIn(), teamB));
    assertThat(copy.getStatus().getReadableIn()).containsExactly(teamA);
    kube.await("a NotReadable Event on the ImageCopy", () -> kube.client().v1().events().inAnyNamespace().list()
        .getItems().stream().anyMatch(e -> "NotReadable".equals(e.getReason())
            && e.getInvolvedObject().getName().equals(copy.getMetadata().getName())
            && e.getMessage().contains(teamB)));

    Pod later = create(teamB, "later", "wrong");
    assertThat(imageOf(later)).isEqualTo(image);
    assertThat(later.getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
        .containsExactly("wrong");
    assertThat(kube.client().secrets().inNamespace(teamB).withName("holdfast-pull-tenants").get()).isNull();
  }

  @Test
  @Order(3)
  void aNamespaceWithoutPullSecretsIsNeverPointedAtTheCopy() {
    ImageCopy copy = awaitCopy("tenants", "a verified copy", CopyStatus::isReady);
    assertThat(imageOf(create(teamD, "first"))).isEqualTo(image);
    assertThat(imageOf(create(teamD, "second"))).isEqualTo(image);
    // the same webhook, at the same moment, points team A's Pods at the copy
    assertThat(imageOf(create(teamA, "third", "source-pull"))).isEqualTo(copy.getStatus().getCopy());
    assertThat(copyOf("tenants").orElseThrow().getStatus().getReadableIn()).doesNotContain(teamD);
  }

  @Test
  @Order(4)
  void aNamespaceWhoseOwnPullSecretCanReadTheSourceIsPointedAtTheCopyOnceChecked() {
    create(teamC, "first", "source-pull");

    ImageCopy copy = awaitCopy("tenants", teamC + " is found able to read the source",
        c -> c.getStatus() != null && lists(c.getStatus().getReadableIn(), teamC));
    kube.await("Holdfast's pull secret in " + teamC, () ->
        kube.client().secrets().inNamespace(teamC).withName("holdfast-pull-tenants").get() != null);
    assertThat(imageOf(create(teamC, "second", "source-pull"))).isEqualTo(copy.getStatus().getCopy());
  }

  @Test
  @Order(5)
  void aPolicyThatSharesPrivateImagesServesTheCopyToEveryNamespaceItCovers() {
    create(sharedWithSecret, "first", "source-pull");
    ImageCopy copy = awaitCopy("shared", "a verified copy under the sharing policy", CopyStatus::isReady);
    assertThat(copy.getStatus().getPrivateSource()).isTrue();
    assertThat(copy.getStatus().getReadableIn()).containsExactly(sharedWithSecret);
    create(sharedWithout, "first"); // admitted before the webhook knew the namespace needs Holdfast's pull secret
    kube.await("Holdfast's pull secret in " + sharedWithout, () ->
        kube.client().secrets().inNamespace(sharedWithout).withName("holdfast-pull-shared").get() != null);

    assertThat(imageOf(create(sharedWithout, "second"))).isEqualTo(copy.getStatus().getCopy());
  }

  @Test
  @Order(6)
  void noCredentialReachesALogAStatusAnEventOrAMetric() {
    CredentialScan scan = CredentialScan.of(kube.client()).add("the operator's log", logs.text())
        .add("/metrics", operator.meters().scrape());
    // the scan reads what was written: the image in statuses and logs, a copy's failure in an Event
    assertThat(scan.scanned()).contains(image, "holdfast_images", "NotReadable");
    assertThat(logs.text()).contains(image);
    assertThat(scan.findings(List.of(
        new CredentialScan.Secret(privateSource.credentials().username(), privateSource.credentials().password()),
        new CredentialScan.Secret(destination.credentials().username(), destination.credentials().password()))))
        .as("credentials found").isEmpty();
  }
}
