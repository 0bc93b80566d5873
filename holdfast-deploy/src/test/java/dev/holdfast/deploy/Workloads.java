package dev.holdfast.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.testing.MutableClock;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.api.SecretReference;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The operator-core scenario the deploy tests run under an installation's ServiceAccount. It
 * touches everything the operator's roles allow: every workload kind (Deployments, StatefulSets,
 * DaemonSets and CronJobs patched; Jobs and bare Pods copied), a private source read with a
 * workload's pull secret, a second workload adding its pull secret to the ImageCopy, an
 * ImagePolicy with its own destination and CA ConfigMap (its status written), the webhook's
 * certificate Secret renewed on request, and a pull secret deleted once no workload lists it.
 */
final class Workloads {
  /** The source (private, tokens), the flags' destination (Basic auth) and the ImagePolicy's (TLS). */
  record Registries(RegistryExtension source, RegistryExtension destination, RegistryExtension team) {
    /** Helm values for these registries, the image {@code repository:version}. */
    String values(String version, String repository) {
      return """
          image: {repository: %s, tag: "%s"}
          policy:
            registry: "%s"
            repository: me
            username: "%s"
            password: "%s"
            excludeNamespaces: [kube-system, local-path-storage]
            insecureRegistries: ["%s", "%s"]
          """.formatted(repository, version, destination.hostPort(), destination.credentials().username(),
          destination.credentials().password(), source.hostPort(), destination.hostPort());
    }

    String sourceImage() {
      return source.hostPort() + "/shop/web:3";
    }
  }

  private final ControlPlaneExtension kube;
  private final Registries registries;
  private final Path work;
  private WrittenImage image;
  private String apps;
  private String lonely;
  private String team;

  Workloads(ControlPlaneExtension kube, Registries registries, Path work) {
    this.kube = kube;
    this.registries = registries;
    this.work = work;
  }

  /** The image, the namespaces, the credentials and the ImagePolicy; before the operator starts. */
  void prepare() {
    image = SyntheticImage.builder().seed(23).layers(1).layerSize(20_000).platforms("linux/amd64").build()
        .writeTo(work.resolve("layout"), "web");
    Skopeo.create(work.resolve("skopeo")).push(image, registries.source().image("shop/web:3"));
    apps = kube.newNamespace("apps");
    lonely = kube.newNamespace("lonely");
    team = kube.newNamespace("team", Map.of("holdfast.dev/team", "a"));
    String auth = Base64.getEncoder().encodeToString((registries.source().credentials().username() + ":"
        + registries.source().credentials().password()).getBytes(StandardCharsets.UTF_8));
    String dockerConfig = "{\"auths\":{\"" + registries.source().hostPort() + "\":{\"auth\":\"" + auth + "\"}}}";
    for (String name : List.of("source-creds", "extra-creds")) {
      kube.apply("""
          apiVersion: v1
          kind: Secret
          metadata: {name: %s, namespace: %s}
          type: kubernetes.io/dockerconfigjson
          stringData: {.dockerconfigjson: '%s'}
          """.formatted(name, apps, dockerConfig));
    }
    kube.apply("""
        apiVersion: v1
        kind: Secret
        metadata: {name: lonely-creds, namespace: %s}
        type: kubernetes.io/dockerconfigjson
        stringData: {.dockerconfigjson: '%s'}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: team-creds, namespace: %s}
        type: kubernetes.io/dockerconfigjson
        stringData: {.dockerconfigjson: '%s'}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: team-registry-ca, namespace: %s}
        data: {ca.crt: "%s"}
        ---
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: team}
        spec:
          destination:
            registry: "%s"
            repository: mirror
            ca: {namespace: %s, name: team-registry-ca}
          namespaceSelector: {matchLabels: {holdfast.dev/team: a}}
        """.formatted(lonely, dockerConfig, team, dockerConfig, team,
        registries.team().ca().caPem().replace("\n", "\\n"), registries.team().hostPort(), team));
  }

  // a Pod template, indented to sit under a workload's "  template:"
  private String template(String secrets) {
    return "    metadata: {labels: {app: web}}\n"
        + "    spec:\n"
        + "      imagePullSecrets: [" + secrets + "]\n"
        + "      containers: [{name: web, image: \"" + registries.sourceImage() + "\"}]\n";
  }

  /** Runs the scenario against the operator that runs now; {@code clock} is the operator's. */
  void run(MutableClock clock) {
    KubernetesClient client = kube.client();
    kube.apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: %1$s}
        spec:
          selector: {matchLabels: {app: web}}
          template:
        %2$s---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: %1$s}
        spec:
          serviceName: db
          selector: {matchLabels: {app: web}}
          template:
        %2$s---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: %1$s}
        spec:
          selector: {matchLabels: {app: web}}
          template:
        %2$s---
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly, namespace: %1$s}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                metadata: {labels: {app: web}}
                spec:
                  restartPolicy: Never
                  imagePullSecrets: [{name: source-creds}]
                  containers: [{name: web, image: "%3$s"}]
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once, namespace: %1$s}
        spec:
          template:
            spec:
              restartPolicy: Never
              imagePullSecrets: [{name: source-creds}]
              containers: [{name: web, image: "%3$s"}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: solo, namespace: %1$s}
        spec:
          imagePullSecrets: [{name: source-creds}]
          containers: [{name: web, image: "%3$s"}]
        """.formatted(apps, template("{name: source-creds}"), registries.sourceImage()));
    String copyPrefix = registries.destination().hostPort() + "/me/";
    awaitPatched(Deployment.class, apps, "web", d -> d.getSpec().getTemplate().getSpec(), copyPrefix);
    awaitPatched(StatefulSet.class, apps, "db", s -> s.getSpec().getTemplate().getSpec(), copyPrefix);
    awaitPatched(DaemonSet.class, apps, "agent", d -> d.getSpec().getTemplate().getSpec(), copyPrefix);
    awaitPatched(CronJob.class, apps, "nightly", c -> c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec(),
        copyPrefix);
    assertThat(imageOf(Deployment.class, apps, "web", d -> d.getSpec().getTemplate().getSpec()))
        .endsWith("@" + image.digest());
    assertThat(client.secrets().inNamespace(apps).withName("holdfast-pull").get()).isNotNull();
    kube.await("a Patched event on web", () -> client.v1().events().inNamespace(apps).list().getItems().stream()
        .anyMatch(e -> "Patched".equals(e.getReason()) && "web".equals(e.getInvolvedObject().getName())));
    ImageCopy copy = copyOf("holdfast-flags");
    assertThat(Conditions.isTrue(copy.getStatus().getConditions(), "Ready")).isTrue();

    // a second workload naming the same image with another pull secret: the ImageCopy records it
    kube.apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web2, namespace: %s}
        spec:
          selector: {matchLabels: {app: web}}
          template:
        %s""".formatted(apps, template("{name: source-creds}, {name: extra-creds}")));
    kube.await("the ImageCopy lists extra-creds", () -> copyOf("holdfast-flags").getSpec().getPullSecrets()
        .contains(new SecretReference(apps, "extra-creds")));

    // the ImagePolicy's namespace: copied to its own registry, trusted through its CA ConfigMap
    kube.apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: %s}
        spec:
          selector: {matchLabels: {app: web}}
          template:
        %s""".formatted(team, template("{name: team-creds}")));
    awaitPatched(Deployment.class, team, "api", d -> d.getSpec().getTemplate().getSpec(),
        registries.team().hostPort() + "/mirror/");
    kube.await("the ImagePolicy counts its ready image", () -> {
      ImagePolicy policy = client.resources(ImagePolicy.class).withName("team").get();
      return policy.getStatus() != null && Integer.valueOf(1).equals(policy.getStatus().getReady());
    });

    // the webhook's certificates: issued, registered, and renewed on request (an update)
    kube.await("the webhook's Secret and configuration", () -> client.admissionRegistration().v1()
        .mutatingWebhookConfigurations().withName("holdfast").get() != null
        && client.secrets().inNamespace(kube.namespace()).withName("holdfast-webhook-tls").get() != null);
    String before = client.secrets().inNamespace(kube.namespace()).withName("holdfast-webhook-tls").get()
        .getData().get("tls.crt");
    client.secrets().inNamespace(kube.namespace()).withName("holdfast-webhook-tls").edit(s -> {
      s.getMetadata().getAnnotations().put("holdfast.dev/rotate", "now");
      return s;
    });
    kube.await("the serving certificate renewed", () -> !before.equals(client.secrets().inNamespace(kube.namespace())
        .withName("holdfast-webhook-tls").get().getData().get("tls.crt")));

    // a pull secret no workload lists any more is deleted (once older than its grace period)
    kube.apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: gone, namespace: %s}
        spec:
          selector: {matchLabels: {app: web}}
          template:
        %s""".formatted(lonely, template("{name: lonely-creds}")));
    awaitPatched(Deployment.class, lonely, "gone", d -> d.getSpec().getTemplate().getSpec(), copyPrefix);
    kube.await("lonely's pull secret", () -> client.secrets().inNamespace(lonely).withName("holdfast-pull").get() != null);
    client.apps().deployments().inNamespace(lonely).withName("gone").delete();
    kube.await("gone is gone", () -> client.apps().deployments().inNamespace(lonely).withName("gone").get() == null);
    clock.advance(Duration.ofMinutes(3));
    client.secrets().inNamespace(lonely).withName("holdfast-pull").edit(s -> {
      s.getMetadata().setAnnotations(Map.of("holdfast-test/touched", "yes"));
      return s;
    });
    kube.await("lonely's pull secret deleted", () -> client.secrets().inNamespace(lonely).withName("holdfast-pull")
        .get() == null);
  }

  private ImageCopy copyOf(String policy) {
    return kube.client().resources(ImageCopy.class).list().getItems().stream()
        .filter(c -> policy.equals(c.getSpec().getPolicy())).findFirst().orElseThrow();
  }

  private <T extends HasMetadata> String imageOf(Class<T> type, String namespace, String name, Function<T, PodSpec> spec) {
    T object = kube.client().resources(type).inNamespace(namespace).withName(name).get();
    return spec.apply(object).getContainers().get(0).getImage();
  }

  private <T extends HasMetadata> void awaitPatched(Class<T> type, String namespace, String name,
      Function<T, PodSpec> spec, String prefix) {
    kube.await(type.getSimpleName() + " " + namespace + "/" + name + " points at its copy",
        () -> imageOf(type, namespace, name, spec).startsWith(prefix));
  }

  /** After uninstall: the patched workloads still point at the copies. */
  void assertStillPatched() {
    Deployment web = kube.client().apps().deployments().inNamespace(apps).withName("web").get();
    assertThat(web.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .startsWith(registries.destination().hostPort() + "/me/");
  }

  /** Deletes the scenario's namespaces and policy. */
  void cleanUp() {
    kube.client().namespaces().withName(apps).delete();
    kube.client().namespaces().withName(lonely).delete();
    kube.client().namespaces().withName(team).delete();
  }
}
