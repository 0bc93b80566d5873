package dev.holdfast.deploy;

import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What an installation of Holdfast may leave behind, and a wait until there is none of it. */
final class Leftovers {
  private Leftovers() {}

  /**
   * Waits until nothing of Holdfast is left: no CRD of holdfast.dev (so no ImagePolicy or
   * ImageCopy), no MutatingWebhookConfiguration "holdfast", no Secret the operator wrote in any
   * namespace (pull secrets, the webhook's certificates), no ClusterRole or binding of the
   * installation, and nothing in its namespace but what Kubernetes puts in every namespace. Events
   * are left to expire with the API server's event TTL.
   */
  static void awaitNone(ControlPlaneExtension kube, String namespace) {
    try {
      kube.await("nothing of Holdfast left", () -> found(kube.client(), namespace).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      org.assertj.core.api.Assertions.assertThat(found(kube.client(), namespace)).as("left behind").isEmpty();
    }
  }

  static List<String> found(KubernetesClient client, String namespace) {
    List<String> left = new ArrayList<>();
    client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
        .filter(c -> c.getSpec().getGroup().equals("holdfast.dev")).forEach(c -> left.add(name(c)));
    if (client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("holdfast").get() != null) {
      left.add("MutatingWebhookConfiguration/holdfast");
    }
    client.secrets().inAnyNamespace().withLabel("app.kubernetes.io/managed-by", "holdfast").list().getItems()
        .forEach(s -> left.add(name(s)));
    client.rbac().clusterRoles().withLabel("app.kubernetes.io/name", "holdfast").list().getItems()
        .forEach(r -> left.add(name(r)));
    client.rbac().clusterRoleBindings().withLabel("app.kubernetes.io/name", "holdfast").list().getItems()
        .forEach(r -> left.add(name(r)));
    if (client.namespaces().withName(namespace).get() != null) {
      List<HasMetadata> inside = new ArrayList<>();
      inside.addAll(client.secrets().inNamespace(namespace).list().getItems());
      inside.addAll(client.configMaps().inNamespace(namespace).list().getItems().stream()
          .filter(c -> !c.getMetadata().getName().equals("kube-root-ca.crt")).toList());
      inside.addAll(client.serviceAccounts().inNamespace(namespace).list().getItems().stream()
          .filter(s -> !Set.of("default").contains(s.getMetadata().getName())
              && !s.getMetadata().getName().startsWith("rbac-probe")).toList());
      inside.addAll(client.leases().inNamespace(namespace).list().getItems());
      inside.addAll(client.services().inNamespace(namespace).list().getItems());
      inside.addAll(client.apps().deployments().inNamespace(namespace).list().getItems());
      inside.addAll(client.apps().replicaSets().inNamespace(namespace).list().getItems());
      inside.addAll(client.pods().inNamespace(namespace).list().getItems());
      inside.addAll(client.policy().v1().podDisruptionBudget().inNamespace(namespace).list().getItems());
      inside.addAll(client.rbac().roles().inNamespace(namespace).list().getItems());
      inside.addAll(client.rbac().roleBindings().inNamespace(namespace).list().getItems());
      inside.forEach(o -> left.add(name(o)));
    }
    return left;
  }

  private static String name(HasMetadata object) {
    return object.getKind() + "/" + (object.getMetadata().getNamespace() == null ? ""
        : object.getMetadata().getNamespace() + "/") + object.getMetadata().getName();
  }
}
