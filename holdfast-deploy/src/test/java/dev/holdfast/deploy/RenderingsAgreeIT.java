package dev.holdfast.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart with its default values (release "holdfast" in holdfast-system) and the kustomize
 * base render the same installation: the same kinds and names, the same RBAC rules, the same
 * Deployment (arguments, so the webhook's settings, environment, ports, probes, resources, security
 * contexts, volumes), Services, PodDisruptionBudget and Lease; and each overlay matches the chart's
 * value that does the same (cert-manager, ServiceMonitor).
 */
class RenderingsAgreeIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @TempDir static Path work;
  private static final ObjectMapper JSON = new ObjectMapper();

  static Path root;

  @BeforeAll
  static void tools() {
    root = kube.plane().repositoryRoot();
  }

  private static List<HasMetadata> helm(String... sets) {
    List<String> command = new ArrayList<>(List.of(kube.plane().tool("helm").toString(), "template", "holdfast",
        root.resolve("charts/holdfast").toString(), "--namespace", "holdfast-system"));
    for (String set : sets) {
      command.addAll(List.of("--set", set));
    }
    return Installation.load(kube.client(), Installation.run(command, Map.of("HELM_CACHE_HOME",
        work.resolve("cache").toString(), "HELM_CONFIG_HOME", work.resolve("config").toString()), null));
  }

  private static List<HasMetadata> kustomize(String directory) {
    return Installation.load(kube.client(), Installation.run(List.of(kube.plane().tool("kubectl").toString(),
        "kustomize", root.resolve(directory).toString()), Map.of(), null));
  }

  private static Set<String> names(List<HasMetadata> objects) {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
  }

  private static JsonNode json(Object value) {
    return readTree(kube.client().getKubernetesSerialization().asJson(value));
  }

  private static JsonNode readTree(String text) {
    try {
      return JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
    return objects.stream().filter(type::isInstance).map(type::cast).filter(o -> o.getMetadata().getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  private static Set<String> permissions(List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> rules) {
    return RbacProof.expand("", rules).stream().map(RbacProof.Permission::toString)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void theChartsDefaultsAndTheKustomizeBaseRenderTheSameInstallation() {
    List<HasMetadata> chart = helm();
    List<HasMetadata> base = kustomize("deploy/kustomize/base");

    Set<String> expected = new TreeSet<>(names(chart));
    expected.add("Namespace/holdfast-system"); // kustomize makes the namespace; helm install --create-namespace does
    assertThat(names(base)).isEqualTo(expected);

    assertThat(permissions(named(base, ClusterRole.class, "holdfast").getRules()))
        .isEqualTo(permissions(named(chart, ClusterRole.class, "holdfast").getRules()));
    assertThat(permissions(named(base, Role.class, "holdfast-leader-election").getRules()))
        .isEqualTo(permissions(named(chart, Role.class, "holdfast-leader-election").getRules()));
    for (String kind : List.of("ClusterRoleBinding", "RoleBinding")) {
      HasMetadata fromChart = chart.stream().filter(o -> o.getKind().equals(kind)).findFirst().orElseThrow();
      HasMetadata fromBase = base.stream().filter(o -> o.getKind().equals(kind)).findFirst().orElseThrow();
      assertThat(json(fromBase).path("subjects")).isEqualTo(json(fromChart).path("subjects"));
      assertThat(json(fromBase).path("roleRef")).isEqualTo(json(fromChart).path("roleRef"));
    }

    Deployment chartDeployment = named(chart, Deployment.class, "holdfast");
    Deployment baseDeployment = named(base, Deployment.class, "holdfast");
    assertThat(baseDeployment.getSpec().getReplicas()).isEqualTo(chartDeployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(json(baseDeployment.getSpec().getSelector())).isEqualTo(json(chartDeployment.getSpec().getSelector()));
    PodSpec chartPod = chartDeployment.getSpec().getTemplate().getSpec();
    PodSpec basePod = baseDeployment.getSpec().getTemplate().getSpec();
    // the image differs only in its tag's source: the chart's appVersion, kustomize's images: newTag
    assertThat(basePod.getContainers().get(0).getImage()).isEqualTo(chartPod.getContainers().get(0).getImage());
    basePod.getContainers().get(0).setImage(null);
    chartPod.getContainers().get(0).setImage(null);
    assertThat(json(basePod)).isEqualTo(json(chartPod));
    assertThat(chartPod.getContainers().get(0).getArgs()).contains("--webhook-port=9443",
        "--webhook-service=holdfast-webhook", "--webhook-failure-policy=Ignore", "--webhook-certificates=self",
        "--owner-clusterrole=holdfast");

    for (String service : List.of("holdfast-webhook", "holdfast-metrics")) {
      assertThat(json(named(base, io.fabric8.kubernetes.api.model.Service.class, service).getSpec()))
          .isEqualTo(json(named(chart, io.fabric8.kubernetes.api.model.Service.class, service).getSpec()));
    }
    assertThat(json(named(base, io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class, "holdfast").getSpec()))
        .isEqualTo(json(named(chart, io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class, "holdfast").getSpec()));
    assertThat(json(named(base, io.fabric8.kubernetes.api.model.coordination.v1.Lease.class, "holdfast-operator").getSpec()))
        .isEqualTo(json(named(chart, io.fabric8.kubernetes.api.model.coordination.v1.Lease.class, "holdfast-operator").getSpec()));
  }

  @Test
  void theCertManagerOverlayIsTheChartsCertManagerValue() {
    List<HasMetadata> chart = helm("webhook.certManager.enabled=true");
    List<HasMetadata> overlay = kustomize("deploy/kustomize/overlays/cert-manager");
    assertThat(named(overlay, Deployment.class, "holdfast").getSpec().getTemplate().getSpec().getContainers().get(0)
        .getArgs()).isEqualTo(named(chart, Deployment.class, "holdfast").getSpec().getTemplate().getSpec()
        .getContainers().get(0).getArgs()).contains("--webhook-certificates=external");
    for (String kind : List.of("Certificate", "Issuer")) {
      HasMetadata fromChart = chart.stream().filter(o -> o.getKind().equals(kind)).findFirst().orElseThrow();
      HasMetadata fromOverlay = overlay.stream().filter(o -> o.getKind().equals(kind)).findFirst().orElseThrow();
      assertThat(fromOverlay.getMetadata().getName()).isEqualTo(fromChart.getMetadata().getName());
      // the Secret's labels are each installation's own (Helm's carry the chart and its version)
      var overlaySpec = (com.fasterxml.jackson.databind.node.ObjectNode) json(fromOverlay).path("spec");
      var chartSpec = (com.fasterxml.jackson.databind.node.ObjectNode) json(fromChart).path("spec");
      overlaySpec.remove("secretTemplate");
      chartSpec.remove("secretTemplate");
      assertThat(overlaySpec).isEqualTo(chartSpec);
    }
  }

  @Test
  void theServiceMonitorOverlayIsTheChartsServiceMonitorValue() {
    HasMetadata fromChart = helm("metrics.serviceMonitor.enabled=true").stream()
        .filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
    HasMetadata fromOverlay = kustomize("deploy/kustomize/overlays/service-monitor").stream()
        .filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
    assertThat(json(fromOverlay).path("spec")).isEqualTo(json(fromChart).path("spec"));
  }
}
