package dev.holdfast.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.testing.MutableClock;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryMode;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.HoldfastOperator;
import dev.holdfast.operator.OperatorSettings;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code make deploy} and {@code make undeploy} as the image clone controller's users run them: the
 * seed's environment variables, the current kubeconfig. Everything is accepted and the Pods are
 * created; the deployed operator (run in the test JVM as kustomize's ServiceAccount, with its
 * Deployment's arguments and environment) copies and patches; undeploy then leaves nothing of
 * Holdfast, the namespace included.
 */
class MakeDeployIT {
  private static final String NAMESPACE = "holdfast-system";

  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination =
      RegistryExtension.builder().mode(RegistryMode.BASIC_AUTH).tls(false).build();
  @TempDir static Path work;

  private static Map<String, String> seedEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", kube.plane().kubeconfig().toString());
    env.put("REGISTRY", destination.hostPort());
    env.put("REGISTRY_USERNAME", destination.credentials().username());
    env.put("REGISTRY_PASSWORD", destination.credentials().password());
    env.put("EXCLUDE_NAMESPACES", "kube-system,local-path-storage,image-clone-controller");
    env.put("IMG", "holdfast-test:" + System.getProperty("holdfast.version"));
    return env;
  }

  private static List<String> make(String target) {
    return List.of("make", "--no-print-directory", target, "KUBECTL=" + kube.plane().tool("kubectl"));
  }

  @Test
  void deployWithoutTheSeedsVariablesSaysWhichAreMissing() {
    Map<String, String> env = new HashMap<>(seedEnvironment());
    env.put("REGISTRY_PASSWORD", "");
    Installation.Result result = Installation.tryRun(make("deploy"), env, kube.plane().repositoryRoot());
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("set REGISTRY_PASSWORD");
  }

  @Test
  void deployRunsTheOperatorAndUndeployLeavesNothing() throws Exception {
    Path root = kube.plane().repositoryRoot();
    Installation.run(make("deploy"), seedEnvironment(), root);

    KubernetesClient admin = kube.client();
    assertThat(admin.namespaces().withName(NAMESPACE).get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    Secret secret = admin.secrets().inNamespace(NAMESPACE).withName("holdfast-registry").get();
    assertThat(new String(Base64.getDecoder().decode(secret.getData().get("password")), StandardCharsets.UTF_8))
        .isEqualTo(destination.credentials().password());
    Deployment deployment = admin.apps().deployments().inNamespace(NAMESPACE).withName("holdfast").get();
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("holdfast-test:" + System.getProperty("holdfast.version"));
    assertThat(Installation.environment(admin, deployment, "holdfast-0")).containsEntry("REGISTRY", destination.hostPort())
        .containsEntry("REPOSITORY", destination.credentials().username())
        .containsEntry("EXCLUDE_NAMESPACES", "kube-system,local-path-storage,image-clone-controller")
        .containsEntry("REGISTRY_USERNAME", destination.credentials().username());
    kube.await("the Deployment's two Pods", () -> admin.pods().inNamespace(NAMESPACE)
        .withLabel("app.kubernetes.io/instance", "holdfast").list().getItems().size() == 2);

    // the deployed operator at work, as its ServiceAccount
    WrittenImage image = SyntheticImage.builder().seed(29).layers(1).layerSize(10_000).platforms("linux/amd64").build()
        .writeTo(work.resolve("layout"), "shop");
    Skopeo.create(work.resolve("skopeo")).push(image, source.image("shop/cart:1"));
    String shop = kube.newNamespace("shop");
    var config = Installation.serviceAccountKubeconfig(kube, NAMESPACE, "holdfast", work.resolve("holdfast.kubeconfig"));
    OperatorSettings settings = Installation.settings(admin, deployment, new MutableClock())
        .withTrust(List.of(), List.of(source.hostPort(), destination.hostPort())); // the test's registries are plain HTTP
    RequestTrace trace = new RequestTrace();
    try (KubernetesClient client = Installation.tracedClient(config, trace);
        HoldfastOperator operator = Installation.start(client, settings)) {
      kube.apply("""
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: cart, namespace: %s}
          spec:
            selector: {matchLabels: {app: cart}}
            template:
              metadata: {labels: {app: cart}}
              spec:
                containers: [{name: cart, image: "%s/shop/cart:1"}]
          """.formatted(shop, source.hostPort()));
      kube.await("cart points at its copy", () -> admin.apps().deployments().inNamespace(shop).withName("cart").get()
          .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()
          .startsWith(destination.hostPort() + "/" + destination.credentials().username() + "/"));
      kube.await("the webhook's Secret and configuration", () -> admin.admissionRegistration().v1()
          .mutatingWebhookConfigurations().withName("holdfast").get() != null
          && admin.secrets().inNamespace(NAMESPACE).withName("holdfast-webhook-tls").get() != null);
    }
    assertThat(trace.refused()).as("requests kustomize's roles refused").isEmpty();
    assertThat(admin.secrets().inNamespace(shop).withName("holdfast-pull").get()).isNotNull();
    assertThat(admin.resources(ImageCopy.class).list().getItems()).isNotEmpty();

    Installation.run(make("undeploy"), Map.of("KUBECONFIG", kube.plane().kubeconfig().toString()), root);
    Leftovers.awaitNone(kube, NAMESPACE);
    kube.await("namespace " + NAMESPACE + " deleted", () -> admin.namespaces().withName(NAMESPACE).get() == null);
    assertThat(admin.apps().deployments().inNamespace(shop).withName("cart").get().getSpec().getTemplate().getSpec()
        .getContainers().get(0).getImage()).as("patched workloads keep their copies").startsWith(destination.hostPort());
    admin.namespaces().withName(shop).delete();
  }
}
