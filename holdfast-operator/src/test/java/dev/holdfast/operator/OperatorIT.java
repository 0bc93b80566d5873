package dev.holdfast.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryMode;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.policy.RegistryCredentials;
import dev.holdfast.operator.rewrite.OriginalImages;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator on a real control plane: it copies from real registries (one public, one private
 * behind htpasswd) into an htpasswd destination over TLS, verifies, and patches the workloads.
 */
class OperatorIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension privateSource =
      RegistryExtension.builder().mode(RegistryMode.BASIC_AUTH).tls(false).build();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.basicAuth();
  @TempDir static Path work;

  static Skopeo skopeo;
  static WrittenImage multiArch;
  static WrittenImage pinned;
  static WrittenImage secret;
  static WrittenImage big;
  static HoldfastOperator operator;
  static String excluded;
  static String optedOut;

  @BeforeAll
  static void start() throws IOException {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    Path layout = work.resolve("layout");
    SyntheticImage.Builder small = SyntheticImage.builder().layers(2).layerSize(30_000);
    multiArch = small.seed(11).multiArch().build().writeTo(layout, "app");
    pinned = small.seed(12).platforms("linux/amd64").build().writeTo(layout, "pinned");
    secret = small.seed(13).platforms("linux/amd64").build().writeTo(layout, "secret");
    big = SyntheticImage.builder().seed(14).layers(4).layerSize(12_000_000).platforms("linux/amd64").build()
        .writeTo(layout, "big");
    skopeo.push(multiArch, source.image("demo/app:1"));
    skopeo.push(pinned, source.image("demo/pinned:1"));
    skopeo.push(secret, privateSource.image("team/secret:1"));
    skopeo.push(big, source.image("demo/big:1"));
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
    excluded = kube.newNamespace("excluded");
    optedOut = kube.newNamespace("opted-out", Map.of("holdfast.dev/skip", "true"));
    ImagePolicySpec spec = new ImagePolicySpec(ImagePolicySpec.Destination.of(destination.hostPort(), "keep"),
        null, List.of(excluded), null, null, null, null, null, null);
    Credential.Basic push = new Credential.Basic(destination.credentials().username(),
        destination.credentials().password());
    OperatorSettings settings = OperatorSettings.defaults("holdfast-system")
        .withImplicitPolicy(new OperatorSettings.ImplicitPolicy(spec,
            new RegistryCredentials(Optional.of(push), Optional.empty())))
        .withTrust(List.of(PemBundle.read(destination.ca().caFile())), List.of())
        .withRetry(Duration.ofSeconds(1), Duration.ofSeconds(4));
    operator = new HoldfastOperator(kube.plane().newClient(), settings);
    operator.start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    kube.client().resources(ImageCopy.class).delete(); // cluster-scoped: other classes start clean
  }

  private static String src(String repositoryAndTag) {
    return source.hostPort() + "/" + repositoryAndTag;
  }

  private static Optional<ImageCopy> copyOf(String normalizedSource) {
    return kube.client().resources(ImageCopy.class).list().getItems().stream()
        .filter(c -> c.getSpec().getSource().equals(normalizedSource)).findFirst();
  }

  private static ImageCopy awaitReady(String normalizedSource) {
    kube.await("a verified copy of " + normalizedSource,
        () -> copyOf(normalizedSource).filter(CopyStatus::isReady).isPresent());
    return copyOf(normalizedSource).orElseThrow();
  }

  private static String image(PodSpec spec, int container) {
    return spec.getContainers().get(container).getImage();
  }

  @Test
  void copiesVerifiesAndPatchesADeploymentKeepingItsPullSecrets() {
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
              containers: [{name: web, image: "%s"}]
        """.formatted(src("demo/app:1")));

    ImageCopy copy = awaitReady(src("demo/app:1"));
    kube.await("the Deployment points at the verified copy", () -> image(kube.client().apps().deployments()
        .inNamespace(kube.namespace()).withName("web").get().getSpec().getTemplate().getSpec(), 0)
        .equals(copy.getStatus().getCopy()));

    assertThat(copy.getStatus().getDigest()).isEqualTo(skopeo.digestOf(source.image("demo/app:1")));
    assertThat(copy.getStatus().getPlatforms()).containsExactly("linux/amd64", "linux/arm64");
    assertThat(copy.getStatus().getVerifiedAt()).isNotBlank();
    assertThat(copy.getStatus().getCopy()).startsWith(destination.hostPort() + "/keep/")
        .endsWith("/demo/app:1@" + multiArch.digest());
    String repository = copy.getStatus().getCopy().substring(destination.hostPort().length() + 1,
        copy.getStatus().getCopy().indexOf(":1@"));
    assertThat(skopeo.digestOf(destination.image(repository + "@" + multiArch.digest()))).isEqualTo(multiArch.digest());

    Deployment web = kube.client().apps().deployments().inNamespace(kube.namespace()).withName("web").get();
    assertThat(web.getSpec().getTemplate().getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
        .containsExactly("keep-me", "holdfast-pull");
    assertThat(OriginalImages.read(web.getMetadata().getAnnotations()))
        .containsExactly(Map.entry("containers/web", src("demo/app:1")));
    Secret pull = kube.client().secrets().inNamespace(kube.namespace()).withName("holdfast-pull").get();
    assertThat(pull.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
    assertThat(pull.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "holdfast");
    assertThat(new String(Base64.getDecoder().decode(pull.getData().get(".dockerconfigjson")), StandardCharsets.UTF_8))
        .contains("\"" + destination.hostPort() + "\"");
    kube.await("ImageCopy usedBy counts the Deployment", () -> Integer.valueOf(1).equals(
        copyOf(src("demo/app:1")).orElseThrow().getStatus().getUsedBy()));
    assertThat(events(web)).anyMatch(e -> e.getReason().equals("Patched"));
    assertThat(events(copy)).anyMatch(e -> e.getReason().equals("Copied"));
  }

  @Test
  void coversStatefulSetsDaemonSetsCronJobsAndBarePodsWithDigestPinnedAndPrivateImages() {
    String pinnedRef = source.hostPort() + "/demo/pinned@" + pinned.digest();
    String auth = Base64.getEncoder().encodeToString((privateSource.credentials().username() + ":"
        + privateSource.credentials().password()).getBytes(StandardCharsets.UTF_8));
    String dockerConfig = Base64.getEncoder().encodeToString(("{\"auths\":{\"" + privateSource.hostPort()
        + "\":{\"auth\":\"" + auth + "\"}}}").getBytes(StandardCharsets.UTF_8));
    kube.apply("""
        apiVersion: v1
        kind: Secret
        metadata: {name: team-registry}
        type: kubernetes.io/dockerconfigjson
        data: {.dockerconfigjson: "%s"}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          serviceName: db
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: db, image: "%s"}]
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        spec:
          selector: {matchLabels: {app: agent}}
          template:
            metadata: {labels: {app: agent}}
            spec:
              imagePullSecrets: [{name: team-registry}]
              containers: [{name: agent, image: "%s"}]
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: job, image: "%s"}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: bare}
        spec:
          initContainers: [{name: init, image: "%s"}]
          containers: [{name: main, image: "%s"}]
        """.formatted(dockerConfig, pinnedRef, privateSource.hostPort() + "/team/secret:1", src("demo/app:1"),
        pinnedRef, src("demo/app:1")));

    ImageCopy pinnedCopy = awaitReady(pinnedRef);
    ImageCopy privateCopy = awaitReady(privateSource.hostPort() + "/team/secret:1");
    awaitReady(src("demo/app:1"));
    assertThat(pinnedCopy.getStatus().getDigest()).isEqualTo(pinned.digest());
    assertThat(pinnedCopy.getStatus().getCopy()).endsWith("@" + pinned.digest());
    assertThat(privateCopy.getStatus().getDigest()).isEqualTo(secret.digest());
    assertThat(privateCopy.getSpec().getPullSecrets()).extracting(s -> s.name()).contains("team-registry");

    String ns = kube.namespace();
    kube.await("the StatefulSet, DaemonSet and CronJob point at copies", () ->
        image(kube.client().apps().statefulSets().inNamespace(ns).withName("db").get().getSpec().getTemplate()
            .getSpec(), 0).equals(pinnedCopy.getStatus().getCopy().replaceFirst(":digest-sha256-[0-9a-f]+@", "@"))
        && image(kube.client().apps().daemonSets().inNamespace(ns).withName("agent").get().getSpec().getTemplate()
            .getSpec(), 0).equals(privateCopy.getStatus().getCopy())
        && image(kube.client().batch().v1().cronjobs().inNamespace(ns).withName("nightly").get().getSpec()
            .getJobTemplate().getSpec().getTemplate().getSpec(), 0).startsWith(destination.hostPort()));
    // a digest-pinned source is pointed at its copy by digest alone
    assertThat(image(kube.client().apps().statefulSets().inNamespace(ns).withName("db").get().getSpec()
        .getTemplate().getSpec(), 0)).endsWith("/demo/pinned@" + pinned.digest());
    DaemonSet agent = kube.client().apps().daemonSets().inNamespace(ns).withName("agent").get();
    assertThat(agent.getSpec().getTemplate().getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
        .containsExactly("team-registry", "holdfast-pull");
    // A bare Pod's pull secrets cannot change: its images are copied, its spec is left to the webhook.
    Pod bare = kube.client().pods().inNamespace(ns).withName("bare").get();
    assertThat(bare.getSpec().getInitContainers().get(0).getImage()).isEqualTo(pinnedRef);
    assertThat(image(bare.getSpec(), 0)).isEqualTo(src("demo/app:1"));
  }

  @Test
  void leavesExcludedAndOptedOutNamespacesAndObjectsAlone() {
    String yaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %s, labels: %s}
        spec:
          selector: {matchLabels: {app: x}}
          template:
            metadata: {labels: {app: x}}
            spec:
              containers: [{name: x, image: "%s"}]
        """;
    String image = src("demo/untouched:1");
    kube.client().resource(load(yaml.formatted("in-excluded", "{}", image))).inNamespace(excluded).create();
    kube.client().resource(load(yaml.formatted("in-opted-out", "{}", image))).inNamespace(optedOut).create();
    kube.apply(yaml.formatted("labelled", "{holdfast.dev/skip: \"true\"}", image));
    // a workload the operator does handle, applied last: once it is copied, the others have been seen
    kube.apply(yaml.formatted("handled", "{}", src("demo/app:1")));
    kube.await("the handled Deployment is patched", () -> image(kube.client().apps().deployments()
        .inNamespace(kube.namespace()).withName("handled").get().getSpec().getTemplate().getSpec(), 0)
        .startsWith(destination.hostPort()));

    assertThat(copyOf(image)).isEmpty();
    for (var deployment : List.of(
        kube.client().apps().deployments().inNamespace(excluded).withName("in-excluded").get(),
        kube.client().apps().deployments().inNamespace(optedOut).withName("in-opted-out").get(),
        kube.client().apps().deployments().inNamespace(kube.namespace()).withName("labelled").get())) {
      assertThat(image(deployment.getSpec().getTemplate().getSpec(), 0)).isEqualTo(image);
      assertThat(deployment.getMetadata().getAnnotations()).doesNotContainKey(OriginalImages.ANNOTATION);
    }
    assertThat(kube.client().secrets().inNamespace(excluded).withName("holdfast-pull").get()).isNull();
  }

  @Test
  void leavesAWorkloadOwnedByACustomResourceUnchanged() {
    kube.apply("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: clusters.owners.holdfast.dev}
        spec:
          group: owners.holdfast.dev
          scope: Namespaced
          names: {plural: clusters, singular: cluster, kind: Cluster}
          versions:
          - name: v1
            served: true
            storage: true
            schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
        """);
    kube.await("the Cluster CRD is established", () -> kube.client().apiextensions().v1()
        .customResourceDefinitions().withName("clusters.owners.holdfast.dev").get().getStatus().getConditions()
        .stream().anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True")));
    GenericKubernetesResource owner = kube.client().genericKubernetesResources(new ResourceDefinitionContext.Builder()
            .withGroup("owners.holdfast.dev").withVersion("v1").withPlural("clusters").withKind("Cluster")
            .withNamespaced(true).build())
        .inNamespace(kube.namespace()).resource(load("""
            apiVersion: owners.holdfast.dev/v1
            kind: Cluster
            metadata: {name: pg}
            """, GenericKubernetesResource.class)).create();
    kube.apply("""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: pg-1
          ownerReferences:
          - {apiVersion: owners.holdfast.dev/v1, kind: Cluster, name: pg, uid: "%s", controller: true}
        spec:
          serviceName: pg
          selector: {matchLabels: {app: pg}}
          template:
            metadata: {labels: {app: pg}}
            spec:
              containers: [{name: pg, image: "%s"}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: after-pg}
        spec:
          selector: {matchLabels: {app: after-pg}}
          template:
            metadata: {labels: {app: after-pg}}
            spec:
              containers: [{name: x, image: "%s"}]
        """.formatted(owner.getMetadata().getUid(), src("demo/owned:1"), src("demo/app:1")));
    kube.await("the Deployment applied after it is patched", () -> image(kube.client().apps().deployments()
        .inNamespace(kube.namespace()).withName("after-pg").get().getSpec().getTemplate().getSpec(), 0)
        .startsWith(destination.hostPort()));

    StatefulSet owned = kube.client().apps().statefulSets().inNamespace(kube.namespace()).withName("pg-1").get();
    assertThat(image(owned.getSpec().getTemplate().getSpec(), 0)).isEqualTo(src("demo/owned:1"));
    assertThat(owned.getMetadata().getAnnotations()).doesNotContainKey(OriginalImages.ANNOTATION);
  }

  @Test
  void aMissingImageIsNotFoundWithAnEventAndItsWorkloadStaysUnchanged() {
    String missing = src("demo/vanished:1");
    kube.apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: broken}
        spec:
          selector: {matchLabels: {app: broken}}
          template:
            metadata: {labels: {app: broken}}
            spec:
              containers:
              - {name: ok, image: "%s"}
              - {name: gone, image: "%s"}
        """.formatted(src("demo/app:1"), missing));
    kube.await("the missing image's copy fails with NotFound", () -> copyOf(missing)
        .flatMap(c -> Optional.ofNullable(c.getStatus()))
        .flatMap(s -> Conditions.get(s.getConditions(), CopyStatus.READY))
        .filter(c -> c.getStatus().equals("False") && c.getReason().equals("NotFound")).isPresent());
    awaitReady(src("demo/app:1"));

    ImageCopy copy = copyOf(missing).orElseThrow();
    kube.await("a NotFound event on the ImageCopy", () -> events(copy).stream()
        .anyMatch(e -> e.getReason().equals("NotFound") && e.getType().equals("Warning")));
    Deployment broken = kube.client().apps().deployments().inNamespace(kube.namespace()).withName("broken").get();
    assertThat(broken.getSpec().getTemplate().getSpec().getContainers()).extracting(c -> c.getImage())
        .containsExactly(src("demo/app:1"), missing);
    assertThat(broken.getMetadata().getAnnotations()).doesNotContainKey(OriginalImages.ANNOTATION);
  }

  @Test
  void aDestinationStoppedMidCopyPatchesNothingUntilALaterVerificationSucceeds() {
    String bigRef = src("demo/big:1");
    destination.clearRequests();
    kube.apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: heavy}
        spec:
          selector: {matchLabels: {app: heavy}}
          template:
            metadata: {labels: {app: heavy}}
            spec:
              containers: [{name: heavy, image: "%s"}]
        """.formatted(bigRef));
    kube.await("the copy has started uploading", () -> destination.requests().stream()
        .anyMatch(r -> r.isBlobUpload() && r.path().contains("demo/big")));
    destination.kill();
    kube.await("the copy fails", () -> copyOf(bigRef).map(CopyStatus::failures).orElse(0) >= 1);
    Deployment during = kube.client().apps().deployments().inNamespace(kube.namespace()).withName("heavy").get();
    assertThat(image(during.getSpec().getTemplate().getSpec(), 0)).isEqualTo(bigRef);
    assertThat(CopyStatus.isReady(copyOf(bigRef).orElseThrow())).isFalse();

    destination.start();
    ImageCopy copy = awaitReady(bigRef);
    kube.await("the Deployment points at the copy once verified", () -> image(kube.client().apps().deployments()
        .inNamespace(kube.namespace()).withName("heavy").get().getSpec().getTemplate().getSpec(), 0)
        .equals(copy.getStatus().getCopy()));
    assertThat(copy.getStatus().getDigest()).isEqualTo(big.digest());
  }

  private static List<Event> events(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace() == null ? "default" : object.getMetadata().getNamespace();
    return kube.client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> object.getMetadata().getUid().equals(e.getInvolvedObject().getUid())).toList();
  }

  private static HasMetadata load(String yaml) {
    return load(yaml, HasMetadata.class);
  }

  private static <T> T load(String yaml, Class<T> type) {
    return kube.client().getKubernetesSerialization().unmarshal(yaml, type);
  }
}
