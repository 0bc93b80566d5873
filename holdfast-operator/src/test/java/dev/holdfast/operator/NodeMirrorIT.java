package dev.holdfast.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.mirror.MirrorConfigLoader;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.cluster.MirrorSets;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.nodemirror.NodeMirrorSets;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * NodeMirror mode on a cluster with OpenShift's mirror set kinds: the operator keeps an
 * ImageDigestMirrorSet and an ImageTagMirrorSet that lead each source with a verified copy to it, and
 * changes no workload.
 */
class NodeMirrorIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.plain();
  @TempDir static Path work;

  static HoldfastOperator operator;
  static WrittenImage image;
  static String namespace;

  @BeforeAll
  static void start() throws IOException {
    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    image = SyntheticImage.builder().seed(91).layers(1).layerSize(10_000).platforms("linux/amd64").build()
        .writeTo(work.resolve("layout"), "app");
    skopeo.push(image, source.image("team/app:1"));
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
    kube.apply(Files.readString(Path.of("src/test/resources/openshift/crds.yaml"), StandardCharsets.UTF_8));
    VERIFIED = source.hostPort() + "/team/app:1";
    MISSING = source.hostPort() + "/team/never:1";
    namespace = kube.newNamespace("nodes", Map.of("node-mirror-test", "yes"));
    kube.apply("""
        apiVersion: v1
        kind: Namespace
        metadata: {name: openshift-config}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: pull-secret, namespace: openshift-config}
        type: kubernetes.io/dockerconfigjson
        stringData: {.dockerconfigjson: '{"auths":{"quay.io":{"auth":"cXVheTpzZWNyZXQ=","email":"ops@example.com"}}}'}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: copies-pull, namespace: %1$s}
        type: kubernetes.io/basic-auth
        stringData: {username: nodes, password: %2$s}
        ---
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: nodes}
        spec:
          destination: {registry: "%3$s", repository: keep, pullSecret: {namespace: %1$s, name: copies-pull}}
          namespaceSelector: {matchLabels: {node-mirror-test: "yes"}}
          rewrite: NodeMirror
          nodeMirror: {updateGlobalPullSecret: true}
        """.formatted(kube.namespace(), PULL_PASSWORD, destination.hostPort()));
    operator = new HoldfastOperator(kube.plane().newClient(), OperatorSettings.defaults("holdfast-system"));
    operator.start();
  }

  static String VERIFIED;
  static String MISSING;

  // The workload both tests need; applying it again changes nothing.
  private static void deployWeb() {
    kube.client().apps().deployments().inNamespace(namespace).resource(kube.client().getKubernetesSerialization()
        .unmarshal("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - {name: app, image: "%s"}
                  - {name: other, image: "%s"}
            """.formatted(VERIFIED, MISSING), Deployment.class)).serverSideApply();
  }

  static final String PULL_PASSWORD = "node-pull-" + Long.toHexString(Double.doubleToLongBits(Math.random()));

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    kube.client().resources(ImageCopy.class).delete();
    kube.client().resources(ImagePolicy.class).delete();
    kube.client().secrets().inNamespace("openshift-config").withName("pull-secret").delete();
  }

  @Test
  void theMirrorSetsTheOperatorKeepsLeadEachVerifiedSourceToItsCopyAndNoWorkloadChanges() {
    String verified = VERIFIED;
    String missing = MISSING;
    deployWeb();
    kube.await("a verified copy of " + verified, () -> kube.client().resources(ImageCopy.class).list().getItems()
        .stream().anyMatch(c -> c.getSpec().getSource().equals(verified) && CopyStatus.isReady(c)));
    ImageCopy copy = kube.client().resources(ImageCopy.class).list().getItems().stream()
        .filter(c -> c.getSpec().getSource().equals(verified)).findFirst().orElseThrow();
    ResourceDefinitionContext idms = new ResourceDefinitionContext.Builder().withGroup("config.openshift.io")
        .withVersion("v1").withKind("ImageDigestMirrorSet").withPlural("imagedigestmirrorsets").build();
    kube.await("the operator's ImageDigestMirrorSet", () ->
        kube.client().genericKubernetesResources(idms).withName(NodeMirrorSets.nameFor("nodes")).get() != null);

    // what holdfast resolve --from-cluster makes of the cluster's mirror sets
    MirrorRules rules = MirrorConfigLoader.loadTexts(MirrorSets.read(kube.client()).texts());
    var candidates = rules.resolve(ImageReference.parse(verified)).candidates();
    assertThat(candidates.get(0).reference().toString())
        .isEqualTo(ImageReference.parse(copy.getStatus().getCopy()).withoutDigest().toString());
    assertThat(candidates).extracting(c -> c.reference().toString()).contains(verified);
    var tagOnlyTo = rules.resolve(ImageReference.parse(missing)).candidates();
    assertThat(tagOnlyTo).extracting(c -> c.reference().toString()).containsExactly(missing);

    GenericKubernetesResource set = kube.client().genericKubernetesResources(idms)
        .withName(NodeMirrorSets.nameFor("nodes")).get();
    assertThat(kube.client().getKubernetesSerialization().asJson(set)).doesNotContain("team/never");
    Deployment web = kube.client().apps().deployments().inNamespace(namespace).withName("web").get();
    assertThat(web.getSpec().getTemplate().getSpec().getContainers()).extracting(c -> c.getImage())
        .containsExactly(verified, missing);
    assertThat(Optional.ofNullable(web.getMetadata().getAnnotations()).orElse(Map.of()))
        .doesNotContainKey("holdfast.dev/original-images");
  }

  @Test
  void theGlobalPullSecretGetsTheCopiesCredentialsAndKeepsItsOtherEntries() {
    String auth = java.util.Base64.getEncoder().encodeToString(("nodes:" + PULL_PASSWORD)
        .getBytes(StandardCharsets.UTF_8));
    deployWeb();
    kube.await("the copies' registry in the global pull secret", () -> globalPullSecret()
        .path("auths").path(destination.hostPort()).path("auth").asText("").equals(auth));

    var config = globalPullSecret();
    assertThat(config.path("auths").path("quay.io").path("auth").asText()).isEqualTo("cXVheTpzZWNyZXQ=");
    assertThat(config.path("auths").path("quay.io").path("email").asText()).isEqualTo("ops@example.com");
    assertThat(config.path("auths").size()).isEqualTo(2);
  }

  @Test
  void aPolicyNotInNodeMirrorModeKeepsNoMirrorSets() {
    // the sets a policy kept while it was in NodeMirror mode, before it was switched to Webhook
    for (String kind : List.of("ImageDigestMirrorSet", "ImageTagMirrorSet")) {
      String mirrors = kind.equals("ImageDigestMirrorSet") ? "imageDigestMirrors" : "imageTagMirrors";
      kube.apply("""
          apiVersion: config.openshift.io/v1
          kind: %s
          metadata: {name: %s, labels: {holdfast.dev/policy: leaving}}
          spec:
            %s: [{source: docker.io/library/nginx, mirrors: [copies.example.com/keep/docker.io/library/nginx]}]
          """.formatted(kind, NodeMirrorSets.nameFor("leaving"), mirrors));
    }
    kube.apply("""
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: leaving}
        spec:
          destination: {registry: copies.example.com, repository: keep}
          namespaceSelector: {matchLabels: {node-mirror-test: "never"}}
          rewrite: Webhook
        """);

    for (String kind : List.of("ImageDigestMirrorSet", "ImageTagMirrorSet")) {
      ResourceDefinitionContext sets = new ResourceDefinitionContext.Builder().withGroup("config.openshift.io")
          .withVersion("v1").withKind(kind).withPlural(kind.toLowerCase(java.util.Locale.ROOT) + "s").build();
      kube.await("no " + kind + " of a Webhook-mode policy", () ->
          kube.client().genericKubernetesResources(sets).withName(NodeMirrorSets.nameFor("leaving")).get() == null);
    }
    kube.client().resources(ImagePolicy.class).withName("leaving").delete();
  }

  private static com.fasterxml.jackson.databind.JsonNode globalPullSecret() {
    var secret = kube.client().secrets().inNamespace("openshift-config").withName("pull-secret").get();
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.util.Base64.getDecoder()
          .decode(secret.getData().get(".dockerconfigjson")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
