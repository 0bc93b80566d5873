package dev.holdfast.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.MutableClock;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import dev.holdfast.operator.upstream.UpstreamStatus;
import dev.holdfast.operator.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies kept current on a real control plane, with a clock the test moves: an image that vanishes
 * upstream is reported and still served from its copy; a followed tag moves to a new verified copy;
 * retention removes only unused copies and never a manifest another copy needs.
 */
class UpstreamIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.plain();
  @TempDir static Path work;

  static final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  static Skopeo skopeo;
  static WrittenImage first;
  static WrittenImage second;
  static HoldfastOperator operator;
  static String vanish;
  static String follow;
  static String retain;

  @BeforeAll
  static void start() throws IOException {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    Path layout = work.resolve("layout");
    first = SyntheticImage.builder().seed(71).layers(1).layerSize(10_000).platforms("linux/amd64").build()
        .writeTo(layout, "first");
    second = SyntheticImage.builder().seed(72).layers(1).layerSize(10_000).platforms("linux/amd64").build()
        .writeTo(layout, "second");
    skopeo.push(first, source.image("team/vanishing:1"));
    skopeo.push(first, source.image("team/moving:1"));
    skopeo.push(first, source.image("team/kept:1"));
    skopeo.push(first, source.image("team/retired:1"));
    skopeo.push(first, source.image("team/shared:1"));
    skopeo.push(first, source.image("team/shared:2"));
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
    vanish = kube.newNamespace("vanish", Map.of("upstream-test", "vanish"));
    follow = kube.newNamespace("follow", Map.of("upstream-test", "follow"));
    retain = kube.newNamespace("retain", Map.of("upstream-test", "retain"));
    kube.apply("""
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: upstream-vanish}
        spec:
          destination: {registry: "%1$s", repository: vanish}
          namespaceSelector: {matchLabels: {upstream-test: vanish}}
          rewrite: Webhook
          upstream: {interval: 2s}
        ---
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: upstream-follow}
        spec:
          destination: {registry: "%1$s", repository: follow}
          namespaceSelector: {matchLabels: {upstream-test: follow}}
          rewrite: Webhook
          tagMode: Follow
          upstream: {interval: 2s}
        ---
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: upstream-retain}
        spec:
          destination: {registry: "%1$s", repository: retain}
          namespaceSelector: {matchLabels: {upstream-test: retain}}
          rewrite: Webhook
          retention: 1h
          deleteFromRegistry: true
        """.formatted(destination.hostPort()));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    OperatorSettings defaults = OperatorSettings.defaults(kube.newNamespace("holdfast-system"));
    operator = new HoldfastOperator(kube.plane().newClient(), new OperatorSettings(defaults.implicitPolicy(),
        defaults.namespace(), false, defaults.identity(), defaults.probeAddress(), defaults.maxConcurrentCopies(),
        Duration.ofSeconds(1), Duration.ofSeconds(2), List.of(), List.of(), Optional.of(new WebhookSettings(
            new InetSocketAddress("127.0.0.1", port), new WebhookSettings.Registration.Url(URI.create(
                "https://127.0.0.1:" + port + "/mutate")), "Ignore", WebhookSettings.Certificates.SELF,
            WebhookSettings.DEFAULT_SECRET)), Optional.empty(), clock));
    operator.start();
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

  private static Optional<ImageCopy> copyOf(String sourceReference) {
    return kube.client().resources(ImageCopy.class).list().getItems().stream()
        .filter(c -> c.getSpec().getSource().equals(sourceReference)).findFirst();
  }

  private static ImageCopy awaitReady(String sourceReference) {
    kube.await("a verified copy of " + sourceReference,
        () -> copyOf(sourceReference).filter(CopyStatus::isReady).isPresent());
    return copyOf(sourceReference).orElseThrow();
  }

  /** Awaits {@code condition} while moving the clock, so that upstream checks come due. */
  private static void awaitMovingTheClock(String what, java.util.function.Supplier<Boolean> condition) {
    kube.await(what, () -> {
      clock.advance(Duration.ofSeconds(3));
      return condition.get();
    });
  }

  private static void deployment(String namespace, String name, String image) {
    kube.client().apps().deployments().inNamespace(namespace).resource(kube.client().getKubernetesSerialization()
        .unmarshal("""
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
            """.formatted(name, name, name, image), io.fabric8.kubernetes.api.model.apps.Deployment.class))
        .serverSideApply();
  }

  private static Pod pod(String namespace, String name, String image) {
    return kube.client().pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
        .endMetadata().withNewSpec().addNewContainer().withName("c").withImage(image).endContainer().endSpec()
        .build()).create();
  }

  private static RegistryClient client() {
    return RegistryClient.builder().build();
  }

  @Test
  void anImageThatVanishesUpstreamIsReportedAndStillServedFromItsCopy() {
    deployment(vanish, "web", src("team/vanishing:1"));
    ImageCopy copy = awaitReady(src("team/vanishing:1"));
    awaitMovingTheClock("a first upstream check", () -> UpstreamStatus.reason(copyOf(src("team/vanishing:1"))
        .orElseThrow()).filter("Available"::equals).isPresent());

    try (RegistryClient registry = client()) {
      registry.deleteManifest(ImageReference.parse(src("team/vanishing@" + first.digest())));
    }
    awaitMovingTheClock("UpstreamAvailable=False NotFound", () -> copyOf(src("team/vanishing:1"))
        .flatMap(c -> Conditions.get(c.getStatus().getConditions(), UpstreamStatus.CONDITION))
        .filter(c -> c.getStatus().equals("False") && c.getReason().equals("NotFound")).isPresent());
    kube.await("a NotFound event on the ImageCopy and the Deployment", () ->
        kube.client().v1().events().inNamespace("default").list().getItems().stream()
            .anyMatch(e -> e.getReason().equals("UpstreamNotFound")
                && e.getInvolvedObject().getName().equals(copy.getMetadata().getName()))
        && kube.client().v1().events().inNamespace(vanish).list().getItems().stream()
            .anyMatch(e -> e.getReason().equals("UpstreamNotFound") && e.getInvolvedObject().getName().equals("web")));
    assertThat(Conditions.get(copyOf(src("team/vanishing:1")).orElseThrow().getStatus().getConditions(),
        UpstreamStatus.CONDITION).orElseThrow().getMessage()).contains("last seen as copied");

    // the promise: new Pods still start, on the copy; a new workload naming the vanished image too
    Pod later = pod(vanish, "later", src("team/vanishing:1"));
    assertThat(later.getSpec().getContainers().get(0).getImage()).isEqualTo(copy.getStatus().getCopy());
    deployment(vanish, "new-web", src("team/vanishing:1"));
    Pod ofNewWorkload = pod(vanish, "new-web-pod", src("team/vanishing:1"));
    assertThat(ofNewWorkload.getSpec().getContainers().get(0).getImage()).isEqualTo(copy.getStatus().getCopy());
  }

  @Test
  void aFollowedTagMovesToANewVerifiedCopyAndTheOldCopyIsKept() {
    deployment(follow, "web", src("team/moving:1"));
    ImageCopy before = awaitReady(src("team/moving:1"));
    Pod onOld = pod(follow, "on-old", src("team/moving:1"));
    assertThat(onOld.getSpec().getContainers().get(0).getImage()).isEqualTo(before.getStatus().getCopy());

    skopeo.push(second, source.image("team/moving:1"));
    awaitMovingTheClock("the copy follows the tag", () -> copyOf(src("team/moving:1"))
        .filter(CopyStatus::isReady).map(c -> c.getStatus().getDigest()).filter(second.digest()::equals).isPresent());
    ImageCopy after = copyOf(src("team/moving:1")).orElseThrow();
    assertThat(after.getStatus().getCopy()).endsWith("@" + second.digest());
    Pod onNew = pod(follow, "on-new", src("team/moving:1"));
    assertThat(onNew.getSpec().getContainers().get(0).getImage()).isEqualTo(after.getStatus().getCopy());
    try (RegistryClient registry = client()) {
      ImageReference oldCopy = ImageReference.parse(before.getStatus().getCopy()).withoutTag();
      assertThat(registry.headManifest(oldCopy)).as("the copy the running Pod names").isPresent();
    }
  }

  @Test
  void retentionRemovesOnlyUnusedCopiesAndNeverAManifestAnotherCopyNeeds() {
    deployment(retain, "kept", src("team/kept:1"));
    deployment(retain, "retired", src("team/retired:1"));
    deployment(retain, "shared-1", src("team/shared:1"));
    deployment(retain, "shared-2", src("team/shared:2"));
    ImageCopy kept = awaitReady(src("team/kept:1"));
    ImageCopy retired = awaitReady(src("team/retired:1"));
    ImageCopy sharedOne = awaitReady(src("team/shared:1"));
    awaitReady(src("team/shared:2"));
    // in use through a Pod pointed at its copy, after its workload is gone (the webhook answers from
    // the operator's cache, a moment behind the API server: the first Pods may pass unchanged)
    kube.await("a Pod pointed at the copy", () -> pod(retain, "rewritten-" + System.nanoTime(), src("team/kept:1"))
        .getSpec().getContainers().get(0).getImage().equals(kept.getStatus().getCopy()));
    for (String name : List.of("kept", "retired", "shared-1")) {
      kube.client().apps().deployments().inNamespace(retain).withName(name).delete();
    }
    kube.await("the deleted Deployments are gone", () ->
        kube.client().apps().deployments().inNamespace(retain).list().getItems().size() == 1);

    clock.advance(Duration.ofHours(2));
    for (ImageCopy copy : List.of(kept, retired, sharedOne)) { // wake their reconciles
      kube.client().resources(ImageCopy.class).withName(copy.getMetadata().getName())
          .edit(c -> {
            c.getMetadata().getAnnotations().put("test.holdfast.dev/nudge", "1");
            return c;
          });
    }
    kube.await("the unused copies are retired", () -> copyOf(src("team/retired:1")).isEmpty()
        && copyOf(src("team/shared:1")).isEmpty());
    assertThat(copyOf(src("team/kept:1"))).as("in use through a rewritten Pod").isPresent();
    assertThat(copyOf(src("team/shared:2"))).isPresent();
    try (RegistryClient registry = client()) {
      ImageReference retiredCopy = ImageReference.parse(retired.getStatus().getCopy());
      assertThat(registry.headManifest(retiredCopy.withoutDigest())).as("the retired copy's tag").isEmpty();
      ImageReference sharedCopy = ImageReference.parse(sharedOne.getStatus().getCopy());
      assertThat(registry.headManifest(sharedCopy.withoutTag())).as("the manifest shared:2's copy names")
          .isPresent();
      assertThat(registry.headManifest(sharedCopy.withoutDigest().withTag("2")).map(d -> d.digest()))
          .contains(Digest.parse(first.digest()));
    }
  }
}
