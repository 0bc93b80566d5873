package dev.holdfast.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.holdfast.oci.testing.TestCa;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The control plane behaves as a cluster would, in the ways Holdfast's tests rely on. */
class ControlPlaneIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();

  @Test
  void refusesAnObjectThatViolatesAStructuralSchema() {
    kube.apply("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.test.holdfast.dev
        spec:
          group: test.holdfast.dev
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [size]
                    properties:
                      size: {type: integer, minimum: 1}
        """);
    kube.await("the Widget CRD is established", () -> kube.client().apiextensions().v1().customResourceDefinitions()
        .withName("widgets.test.holdfast.dev").get().getStatus().getConditions().stream()
        .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True")));
    ResourceDefinitionContext widgets = new ResourceDefinitionContext.Builder()
        .withGroup("test.holdfast.dev").withVersion("v1").withPlural("widgets").withKind("Widget").withNamespaced(true)
        .build();

    kube.apply("""
        apiVersion: test.holdfast.dev/v1
        kind: Widget
        metadata: {name: fine}
        spec: {size: 3}
        """);
    GenericKubernetesResource stored = kube.client().genericKubernetesResources(widgets)
        .inNamespace(kube.namespace()).withName("fine").get();
    assertThat(stored.getAdditionalProperties()).containsKey("spec");

    assertThatThrownBy(() -> kube.apply("""
        apiVersion: test.holdfast.dev/v1
        kind: Widget
        metadata: {name: broken}
        spec: {size: 0}
        """))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.size")
        .hasMessageContaining("should be greater than or equal to 1");
  }

  @Test
  void deploymentGetsAReplicaSetAndPodsFromTheControllerManager() {
    kube.apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: web, image: "registry.example.com/web:1.0"}]
        """);
    kube.await("two Pods of Deployment web", () -> kube.client().pods().inNamespace(kube.namespace())
        .withLabel("app", "web").list().getItems().size() == 2);
    assertThat(kube.client().apps().replicaSets().inNamespace(kube.namespace()).withLabel("app", "web").list()
        .getItems()).singleElement()
        .satisfies(rs -> assertThat(rs.getMetadata().getOwnerReferences()).singleElement()
            .satisfies(owner -> assertThat(owner.getKind()).isEqualTo("Deployment")));
    Pod pod = kube.client().pods().inNamespace(kube.namespace()).withLabel("app", "web").list().getItems().get(0);
    assertThat(pod.getStatus().getPhase()).as("no kubelet: Pods stay Pending").isEqualTo("Pending");
  }

  @Test
  void acceptsCronJobsAndStatefulSets() {
    List<?> applied = kube.apply("""
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
                  containers: [{name: job, image: "registry.example.com/job:1.0"}]
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          serviceName: db
          replicas: 1
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: db, image: "registry.example.com/db:1.0"}]
        """);
    assertThat(applied).hasSize(2);
    assertThat(kube.client().batch().v1().cronjobs().inNamespace(kube.namespace()).withName("nightly").get())
        .extracting(CronJob::getSpec).extracting(s -> s.getSchedule()).isEqualTo("0 3 * * *");
    kube.await("Pod db-0 of StatefulSet db",
        () -> kube.client().pods().inNamespace(kube.namespace()).withName("db-0").get() != null);
    assertThat(kube.client().apps().statefulSets().inNamespace(kube.namespace()).withName("db").get())
        .extracting(StatefulSet::getStatus).extracting(s -> s.getReplicas()).isEqualTo(1);
  }

  @Test
  void callsAMutatingWebhookOverHttpsAndStoresThePatchedPod(@TempDir Path dir) throws IOException {
    TestCa ca = TestCa.create(dir);
    AtomicInteger calls = new AtomicInteger();
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ca.serverSslContext()));
    server.createContext("/mutate", exchange -> {
      String review = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String uid = review.replaceAll("(?s).*?\"uid\"\\s*:\\s*\"([^\"]+)\".*", "$1");
      String patch = Base64.getEncoder().encodeToString(
          "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"mutated-by\":\"test-webhook\"}}]"
              .getBytes(StandardCharsets.UTF_8));
      byte[] response = ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{"
          + "\"uid\":\"" + uid + "\",\"allowed\":true,\"patchType\":\"JSONPatch\",\"patch\":\"" + patch + "\"}}")
          .getBytes(StandardCharsets.UTF_8);
      calls.incrementAndGet();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, response.length);
      exchange.getResponseBody().write(response);
      exchange.close();
    });
    server.start();
    String url = "https://127.0.0.1:" + server.getAddress().getPort() + "/mutate";
    var config = kube.registerPodWebhook("test-mutate", url, ca.caPem(), "Fail");
    try {
      Pod created = kube.client().pods().inNamespace(kube.namespace()).resource(pod("mutated")).create();
      assertThat(calls).hasPositiveValue();
      assertThat(kube.client().pods().inNamespace(kube.namespace()).withName("mutated").get().getMetadata().getLabels())
          .containsEntry("mutated-by", "test-webhook");
      assertThat(created.getMetadata().getLabels()).containsEntry("mutated-by", "test-webhook");

      // With the webhook's server gone and failurePolicy Ignore, Pods are still created.
      server.stop(0);
      kube.client().resource(config).edit(c -> {
        c.getWebhooks().get(0).setFailurePolicy("Ignore");
        return c;
      });
      int before = calls.get();
      Pod unmutated = kube.client().pods().inNamespace(kube.namespace()).resource(pod("unmutated")).create();
      assertThat(unmutated.getMetadata().getLabels()).doesNotContainKey("mutated-by");
      assertThat(calls).hasValue(before);
    } finally {
      server.stop(0);
      kube.client().resource(config).delete();
    }
  }

  @Test
  void narrowRoleListsPodsInItsNamespaceOnlyWithATokenFromTheTokenRequestApi() {
    String other = kube.newNamespace("other");
    kube.apply("""
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: reader}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: pod-reader}
        rules:
        - apiGroups: [""]
          resources: [pods]
          verbs: [get, list, watch]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: reader-reads-pods}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
        subjects: [{kind: ServiceAccount, name: reader}]
        """);
    kube.client().pods().inNamespace(kube.namespace()).resource(pod("listed")).create();
    String token = kube.client().serviceAccounts().inNamespace(kube.namespace()).withName("reader")
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(600L).endSpec().build())
        .getStatus().getToken();
    assertThat(token).isNotBlank();

    var admin = kube.plane().config();
    var asReader = new ConfigBuilder(admin)
        .withClientCertData(null).withClientKeyData(null).withClientCertFile(null).withClientKeyFile(null)
        .withOauthToken(token).build();
    try (KubernetesClient reader = new KubernetesClientBuilder().withConfig(asReader).build()) {
      assertThat(reader.pods().inNamespace(kube.namespace()).list().getItems())
          .extracting(p -> p.getMetadata().getName()).contains("listed");
      assertThatThrownBy(() -> reader.pods().inNamespace(other).list())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      assertThatThrownBy(() -> reader.secrets().inNamespace(kube.namespace()).list())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    } finally {
      kube.client().namespaces().withName(other).delete();
    }
  }

  private static Pod pod(String name) {
    return new PodBuilder().withNewMetadata().withName(name).withLabels(Map.of("test", name)).endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("registry.example.com/app:1.0").endContainer()
        .endSpec().build();
  }
}
