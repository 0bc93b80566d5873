package dev.holdfast.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.rewrite.OriginalImages;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** An ImagePolicy object: its Secrets, its namespace selector, its status, and specs it refuses. */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ImagePolicyIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.basicAuth();
  @TempDir static Path work;

  static WrittenImage image;
  static HoldfastOperator operator;
  static String teamA;
  static String other;

  @BeforeAll
  static void start() throws IOException {
    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    image = SyntheticImage.builder().seed(21).layers(1).layerSize(20_000).platforms("linux/amd64").build()
        .writeTo(work.resolve("layout"), "api");
    skopeo.push(image, source.image("team/api:2"));
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
    teamA = kube.newNamespace("team-a", Map.of("holdfast.dev/team", "a"));
    other = kube.newNamespace("other");
    kube.apply("""
        apiVersion: v1
        kind: Secret
        metadata: {name: push, namespace: %1$s}
        type: kubernetes.io/basic-auth
        stringData: {username: "%2$s", password: "%3$s"}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: pull, namespace: %1$s}
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
        metadata: {name: team-a}
        spec:
          destination:
            registry: "%5$s"
            repository: mirror
            pushSecret: {namespace: %1$s, name: push}
            pullSecret: {namespace: %1$s, name: pull}
            ca: {namespace: %1$s, name: destination-ca}
          namespaceSelector: {matchLabels: {holdfast.dev/team: a}}
        """.formatted(kube.namespace(), destination.credentials().username(), destination.credentials().password(),
        destination.ca().caPem().replace("\n", "\\n"), destination.hostPort()));
    kube.apply("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: holdfast-imagepolicyit}
        rules: []
        """);
    OperatorSettings defaults = OperatorSettings.defaults("holdfast-system");
    operator = new HoldfastOperator(kube.plane().newClient(), new OperatorSettings(defaults.implicitPolicy(),
        defaults.namespace(), false, defaults.identity(), defaults.probeAddress(), defaults.maxConcurrentCopies(),
        defaults.retryBase(), defaults.retryCap(), defaults.caBundles(), defaults.insecureRegistries(),
        defaults.webhook(), java.util.Optional.of("holdfast-imagepolicyit"), defaults.clock()));
    operator.start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    kube.client().resources(ImageCopy.class).delete();
    kube.client().resources(ImagePolicy.class).delete();
  }

  private static String deployment(String name, String image) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %s}
        spec:
          selector: {matchLabels: {app: x}}
          template:
            metadata: {labels: {app: x}}
            spec:
              containers: [{name: x, image: "%s"}]
        """.formatted(name, image);
  }

  @Test
  void coversTheSelectedNamespacesWithItsOwnSecretsAndCountsInItsStatus() {
    String ref = source.hostPort() + "/team/api:2";
    kube.client().resource(load(deployment("api", ref))).inNamespace(teamA).create();
    kube.client().resource(load(deployment("api", ref))).inNamespace(other).create();

    kube.await("the selected namespace's Deployment is patched", () -> kube.client().apps().deployments()
        .inNamespace(teamA).withName("api").get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()
        .startsWith(destination.hostPort() + "/mirror/"));
    Deployment api = kube.client().apps().deployments().inNamespace(teamA).withName("api").get();
    assertThat(api.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .endsWith("/team/api:2@" + image.digest());
    assertThat(api.getSpec().getTemplate().getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
        .containsExactly("holdfast-pull-team-a");
    Secret pull = kube.client().secrets().inNamespace(teamA).withName("holdfast-pull-team-a").get();
    assertThat(new String(Base64.getDecoder().decode(pull.getData().get(".dockerconfigjson")), StandardCharsets.UTF_8))
        .contains("\"username\":\"" + destination.credentials().username() + "\"");

    Deployment untouched = kube.client().apps().deployments().inNamespace(other).withName("api").get();
    assertThat(untouched.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(ref);

    kube.await("the policy counts one ready image", () -> {
      ImagePolicy policy = kube.client().resources(ImagePolicy.class).withName("team-a").get();
      return policy.getStatus() != null && Integer.valueOf(1).equals(policy.getStatus().getReady());
    });
    ImagePolicy policy = kube.client().resources(ImagePolicy.class).withName("team-a").get();
    assertThat(policy.getStatus().getDesired()).isEqualTo(1);
    assertThat(policy.getStatus().getFailed()).isZero();
    assertThat(Conditions.isTrue(policy.getStatus().getConditions(), "Valid")).isTrue();
    assertThat(Conditions.isTrue(policy.getStatus().getConditions(), "CredentialsReady")).isTrue();
  }

  @Test
  void anImageThatDoesNotParseIsReportedOnTheWorkloadAndThePolicyAndChangesNothing() {
    kube.client().resource(load(deployment("typo", "Registry.Example.COM/Team/API:1"))).inNamespace(teamA).create();

    kube.await("the policy lists the invalid image", () -> {
      ImagePolicy policy = kube.client().resources(ImagePolicy.class).withName("team-a").get();
      return policy.getStatus() != null && policy.getStatus().getFailing().stream()
          .anyMatch(f -> f.reason().equals("InvalidReference") && f.source().contains("Deployment/typo"));
    });
    Deployment typo = kube.client().apps().deployments().inNamespace(teamA).withName("typo").get();
    assertThat(typo.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("Registry.Example.COM/Team/API:1");
    assertThat(typo.getMetadata().getAnnotations()).doesNotContainKey(OriginalImages.ANNOTATION);
    kube.await("an InvalidImage event on the Deployment", () -> kube.client().v1().events().inNamespace(teamA).list()
        .getItems().stream().map(Event::getReason).anyMatch("InvalidImage"::equals));
  }

  @Test
  void theSchemaRefusesAPolicyWithoutARegistryAndAFieldItCannotCheckIsNamedInACondition() {
    assertThatThrownBy(() -> kube.apply("""
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: no-registry}
        spec:
          destination: {repository: x}
        """))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.destination.registry");
    assertThatThrownBy(() -> kube.apply("""
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: bad-mode}
        spec:
          destination: {registry: r.example.com}
          rewrite: Sometimes
        """))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.rewrite");

    kube.apply("""
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: bad-selector}
        spec:
          destination: {registry: r.example.com, naming: Flatten}
          namespaceSelector:
            matchExpressions: [{key: team, operator: Maybe}]
        """);
    kube.await("the policy is not Valid and says why", () -> {
      ImagePolicy policy = kube.client().resources(ImagePolicy.class).withName("bad-selector").get();
      return policy.getStatus() != null && Conditions.get(policy.getStatus().getConditions(), "Valid")
          .filter(c -> c.getStatus().equals("False"))
          .filter(c -> c.getMessage().contains("spec.namespaceSelector.matchExpressions[0].operator"))
          .filter(c -> c.getMessage().contains("spec.destination.repository"))
          .isPresent();
    });
  }

  @Test
  @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
  void deletingTheInstallationsClusterRoleDeletesWhatTheOperatorCreated() {
    kube.await("the pull secret and the ImageCopy exist", () ->
        kube.client().secrets().inNamespace(teamA).withName("holdfast-pull-team-a").get() != null
        && !kube.client().resources(ImageCopy.class).list().getItems().isEmpty());
    assertThat(kube.client().secrets().inNamespace(teamA).withName("holdfast-pull-team-a").get().getMetadata()
        .getOwnerReferences()).singleElement().satisfies(o -> {
          assertThat(o.getKind()).isEqualTo("ClusterRole");
          assertThat(o.getName()).isEqualTo("holdfast-imagepolicyit");
        });
    operator.close();

    kube.client().rbac().clusterRoles().withName("holdfast-imagepolicyit").delete();

    kube.await("the garbage collector deletes them", () ->
        kube.client().secrets().inNamespace(teamA).withName("holdfast-pull-team-a").get() == null
        && kube.client().resources(ImageCopy.class).list().getItems().isEmpty());
  }

  private static io.fabric8.kubernetes.api.model.HasMetadata load(String yaml) {
    return kube.client().getKubernetesSerialization().unmarshal(yaml, io.fabric8.kubernetes.api.model.HasMetadata.class);
  }
}
