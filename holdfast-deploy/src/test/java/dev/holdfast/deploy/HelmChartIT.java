package dev.holdfast.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.testing.MutableClock;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryMode;
import dev.holdfast.operator.HoldfastOperator;
import dev.holdfast.operator.OperatorSettings;
import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImageCopySpec;
import dev.holdfast.operator.api.ImageCopyStatus;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import dev.holdfast.operator.testing.CredentialScan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart on the real control plane, in the order a user meets it: {@code helm lint}, {@code
 * helm install} (every object accepted, in a namespace that enforces the restricted Pod Security
 * Standard, and the Deployment's two Pods created), the installed operator at work under the
 * chart's ServiceAccount and nothing more (every permission of its roles shown to be needed), the
 * optional node-config DaemonSet (its ServiceAccount renders the nodes' files and may change
 * nothing), and {@code helm uninstall}, after which nothing of Holdfast is left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmChartIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.token();
  @RegisterExtension static final RegistryExtension destination =
      RegistryExtension.builder().mode(RegistryMode.BASIC_AUTH).tls(false).build();
  @RegisterExtension static final RegistryExtension team = RegistryExtension.tls();
  static final Workloads.Registries registries = new Workloads.Registries(source, destination, team);
  @TempDir static Path work;

  static Path helm;
  static Path chart;
  static String namespace;
  static Workloads scenario;

  @BeforeAll
  static void setUp() {
    helm = kube.plane().tool("helm");
    chart = kube.plane().repositoryRoot().resolve("charts/holdfast");
    namespace = kube.namespace();
    kube.client().namespaces().withName(namespace).edit(ns -> {
      ns.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "restricted");
      return ns;
    });
  }

  private static String helm(String... args) {
    List<String> command = new ArrayList<>(List.of(helm.toString(), "--kubeconfig", kube.plane().kubeconfig().toString()));
    command.addAll(List.of(args));
    return Installation.run(command, Map.of("HELM_CACHE_HOME", work.resolve("helm/cache").toString(),
        "HELM_CONFIG_HOME", work.resolve("helm/config").toString(), "HELM_DATA_HOME", work.resolve("helm/data").toString()),
        null);
  }

  @Test
  @Order(1)
  void lintIsClean() {
    String output = helm("lint", "--strict", chart.toString());
    assertThat(output).contains("1 chart(s) linted, 0 chart(s) failed").doesNotContain("[WARNING]", "[ERROR]", "[INFO]");
  }

  @Test
  @Order(2)
  void installCreatesEveryObjectAndTheDeploymentsPods() throws Exception {
    Path values = work.resolve("values.yaml");
    Files.writeString(values, registries.values(System.getProperty("holdfast.version"), "holdfast-test"),
        StandardCharsets.UTF_8);
    helm("install", "holdfast", chart.toString(), "--namespace", namespace, "--values", values.toString());

    KubernetesClient client = kube.client();
    String rendered = helm("get", "manifest", "holdfast", "--namespace", namespace);
    List<HasMetadata> objects = Installation.load(client, rendered);
    assertThat(objects).extracting(HasMetadata::getKind).contains("CustomResourceDefinition", "ServiceAccount",
        "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Lease", "Secret", "Service", "Deployment",
        "PodDisruptionBudget");
    for (HasMetadata object : objects) {
      var resource = object.getMetadata().getNamespace() == null ? client.resource(object)
          : client.resource(object).inNamespace(object.getMetadata().getNamespace());
      assertThat(resource.get())
          .as("%s %s is stored", object.getKind(), object.getMetadata().getName()).isNotNull();
    }
    kube.await("the Deployment's two Pods", () -> client.pods().inNamespace(namespace)
        .withLabel("app.kubernetes.io/instance", "holdfast").list().getItems().size() == 2);
    Pod pod = client.pods().inNamespace(namespace).withLabel("app.kubernetes.io/instance", "holdfast").list()
        .getItems().get(0);
    assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("holdfast-test:" + System.getProperty("holdfast.version"));
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("holdfast");
  }

  @Test
  @Order(3)
  void theOperatorWorksUnderTheChartsServiceAccountAndNeedsEveryPermission() {
    KubernetesClient admin = kube.client();
    Deployment deployment = admin.apps().deployments().inNamespace(namespace).withName("holdfast").get();
    MutableClock clock = new MutableClock();
    RequestTrace trace = new RequestTrace();
    var config = Installation.serviceAccountKubeconfig(kube, namespace, "holdfast", work.resolve("holdfast.kubeconfig"));
    OperatorSettings settings = Installation.settings(admin, deployment, clock);
    scenario = new Workloads(kube, registries, work);
    scenario.prepare();
    try (CredentialScan.Logs logs = CredentialScan.captureLogs();
        KubernetesClient client = Installation.tracedClient(config, trace);
        HoldfastOperator operator = Installation.start(client, settings)) {
      scenario.run(clock);
      // no credential of the source (token auth) or the destination (basic) in what the scenario wrote
      CredentialScan scan = CredentialScan.of(admin).add("the operator's log", logs.text())
          .add("/metrics", operator.meters().scrape());
      assertThat(scan.scanned()).contains(destination.hostPort(), "holdfast_images");
      assertThat(scan.findings(List.of(
          new CredentialScan.Secret(source.credentials().username(), source.credentials().password()),
          new CredentialScan.Secret(destination.credentials().username(), destination.credentials().password()))))
          .as("credentials in logs, Events, statuses or metrics").isEmpty();
    }
    assertThat(trace.refused()).as("requests the chart's roles refused").isEmpty();

    // each permission, removed alone, refuses some request of the scenario
    List<RbacProof.Permission> permissions = new ArrayList<>();
    permissions.addAll(RbacProof.expand("", admin.rbac().clusterRoles().withName("holdfast").get().getRules()));
    for (Role role : admin.rbac().roles().inNamespace(namespace).withLabel("app.kubernetes.io/instance", "holdfast")
        .list().getItems()) {
      permissions.addAll(RbacProof.expand(namespace, role.getRules()));
    }
    RbacProof proof = new RbacProof(kube, namespace);
    List<RbacProof.Verdict> verdicts = proof.verdicts("rbac-probe", permissions, trace.granted());
    StringBuilder table = new StringBuilder("RBAC proof: permission -> a request of the scenario refused without it\n");
    List<RbacProof.Permission> unproven = new ArrayList<>();
    for (int i = 0; i < verdicts.size(); i++) {
      RbacProof.Verdict verdict = verdicts.get(i);
      if (!verdict.refused().isEmpty()) {
        table.append("  ").append(verdict.permission()).append(" -> ").append(verdict.refused().get(0)).append('\n');
      } else if (startFails("rbac-probe-" + i, admin, deployment, clock)) {
        table.append("  ").append(verdict.permission()).append(" -> the operator does not start\n");
      } else {
        unproven.add(verdict.permission());
      }
    }
    System.out.print(table);
    for (int i = 0; i < verdicts.size(); i++) {
      List<RbacProof.Permission> rest = new ArrayList<>(permissions);
      rest.remove(i);
      proof.unbind("rbac-probe-" + i, rest);
    }
    assertThat(unproven).as("permissions nothing in the scenario needs (drop them):\n%s", table).isEmpty();
  }

  // Without the permission, the operator (as the probe ServiceAccount) refuses to start.
  private static boolean startFails(String account, KubernetesClient admin, Deployment deployment, MutableClock clock) {
    var config = Installation.serviceAccountKubeconfig(kube, namespace, account, work.resolve(account + ".kubeconfig"));
    try (KubernetesClient client = Installation.tracedClient(config, new RequestTrace());
        HoldfastOperator operator = Installation.start(client, Installation.settings(admin, deployment, clock))) {
      return false;
    } catch (RuntimeException e) {
      System.out.println(account + ": the operator did not start: " + e.getMessage());
      return true;
    }
  }

  @Test
  @Order(4)
  void theNodeConfigDaemonSetKeepsHostsTomlWithReadOnlyAccess() throws IOException {
    helm("upgrade", "holdfast", chart.toString(), "--namespace", namespace, "--reuse-values", "--set",
        "nodeConfig.enabled=true");
    KubernetesClient admin = kube.client();
    DaemonSet daemonSet = admin.apps().daemonSets().inNamespace(namespace).withName("holdfast-node-config").get();
    assertThat(daemonSet).as("the DaemonSet holdfast-node-config").isNotNull();
    var pod = daemonSet.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("holdfast-node-config");
    assertThat(pod.getContainers().get(0).getArgs()).startsWith("node-config", "--format=containerd",
        "--write=/host/config", "--every=30s"); // then the policy's insecure registries
    assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getHostPath().getPath()).isEqualTo("/etc/containerd/certs.d"));
    // neither the webhook's Service nor the operator's PodDisruptionBudget may select these Pods
    Map<String, String> labels = daemonSet.getSpec().getTemplate().getMetadata().getLabels();
    Map<String, String> operatorSelector = admin.services().inNamespace(namespace).list().getItems().get(0).getSpec()
        .getSelector();
    assertThat(operatorSelector).containsKey("app.kubernetes.io/name");
    assertThat(labels.get("app.kubernetes.io/name")).as("the node-config Pods' name label")
        .isNotEqualTo(operatorSelector.get("app.kubernetes.io/name"));

    // its ServiceAccount renders the nodes' files from a NodeMirror policy's verified copy, and may change nothing
    kube.apply("""
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: nodes}
        spec:
          destination: {registry: copies.example.com, repository: keep}
          namespaceSelector: {matchLabels: {node-config-test: "yes"}}
          rewrite: NodeMirror
        """);
    ImageCopy copy = admin.resources(ImageCopy.class).resource(ImageCopy.of("nodes-web",
        new ImageCopySpec("quay.io/acme/web:2", "nodes", List.of()))).create();
    ImageCopyStatus status = new ImageCopyStatus();
    status.setPrivateSource(false);
    status.setCopy("copies.example.com/keep/quay.io/acme/web:2@sha256:" + "a".repeat(64));
    status.setConditions(Conditions.set(List.of(), "Ready", true, "Verified", "", 1, Instant.now()));
    copy.setStatus(status);
    admin.resources(ImageCopy.class).resource(copy).updateStatus();

    Path kubeconfig = work.resolve("node-config.kubeconfig");
    var config = Installation.serviceAccountKubeconfig(kube, namespace, "holdfast-node-config", kubeconfig);
    Path hosts = work.resolve("certs.d");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = dev.holdfast.cli.Main.newCommandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
        .execute("node-config", "--format=containerd", "--write=" + hosts, "--kubeconfig=" + kubeconfig);
    assertThat(exit).as("holdfast node-config as holdfast-node-config: %s", err).isZero();
    assertThat(Files.readString(hosts.resolve("quay.io/hosts.toml"), StandardCharsets.UTF_8))
        .contains("[host.\"https://copies.example.com/v2/keep/quay.io\"]");
    try (KubernetesClient nodeConfig = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThatThrownBy(() -> nodeConfig.resources(ImageCopy.class).withName("nodes-web").delete())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      assertThatThrownBy(() -> nodeConfig.secrets().inNamespace(namespace).list())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }
  }

  @Test
  @Order(5)
  void uninstallLeavesNothingOfHoldfastBehind() {
    helm("uninstall", "holdfast", "--namespace", namespace, "--wait", "--timeout", "2m");
    Leftovers.awaitNone(kube, namespace);
    scenario.assertStillPatched();
    scenario.cleanUp();
  }
}
