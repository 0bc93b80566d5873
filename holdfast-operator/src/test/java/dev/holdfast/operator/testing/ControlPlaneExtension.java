package dev.holdfast.operator.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class the shared {@link ControlPlane} of its JVM, an admin client, and a namespace
 * of its own, created before its tests (with the ServiceAccount {@code default} that Pods need) and
 * deleted after them. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
 * }</pre>
 *
 * <p>A test that cannot get a control plane fails with the reason; it is never skipped.
 */
public final class ControlPlaneExtension implements BeforeAllCallback, AfterAllCallback {
  /** How long {@link #await} waits by default. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

  private final boolean own;
  private ControlPlane plane;
  private KubernetesClient client;
  private String namespace;

  /** The shared control plane of the test JVM. */
  public ControlPlaneExtension() {
    this(false);
  }

  private ControlPlaneExtension(boolean own) {
    this.own = own;
  }

  /**
   * A control plane of the class's own ({@link ControlPlane#startOwn()}), started before its tests and
   * stopped after them: for tests that restart the API server or compact etcd.
   */
  public static ControlPlaneExtension ownControlPlane() {
    return new ControlPlaneExtension(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    plane = own ? ControlPlane.startOwn() : ControlPlane.shared();
    client = plane.newClient();
    namespace = newNamespace(context.getRequiredTestClass().getSimpleName());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (client != null) {
      if (namespace != null && !own) {
        client.namespaces().withName(namespace).delete();
      }
      client.close();
    }
    if (own && plane != null) {
      plane.stop();
    }
  }

  /**
   * Creates another namespace (name: the prefix, lower case, and a random suffix) with the given
   * labels, and waits for its ServiceAccount {@code default}. It is not deleted by the extension.
   */
  public String newNamespace(String prefix, Map<String, String> labels) {
    String base = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    if (base.length() > 40) {
      base = base.substring(0, 40);
    }
    String name = base + "-" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
        .endMetadata().build()).create();
    await("ServiceAccount default in namespace " + name,
        () -> client.serviceAccounts().inNamespace(name).withName("default").get() != null);
    return name;
  }

  /** {@link #newNamespace(String, Map)} without labels. */
  public String newNamespace(String prefix) {
    return newNamespace(prefix, Map.of());
  }

  /** The control plane. */
  public ControlPlane plane() {
    return plane;
  }

  /** An admin client, shared by the class's tests. */
  public KubernetesClient client() {
    return client;
  }

  /** The class's own namespace. */
  public String namespace() {
    return namespace;
  }

  /**
   * Creates or updates (server-side apply, field manager {@code holdfast-test}) the objects of a YAML
   * text of one or more documents; namespaced objects without a namespace go into the class's. A
   * CustomResourceDefinition is awaited until the API server serves its kind (Established).
   */
  public List<HasMetadata> apply(String yaml) {
    List<HasMetadata> objects = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    List<HasMetadata> applied = objects.stream()
        .map(o -> client.resource(o).inNamespace(defaultNamespace(o)).fieldManager("holdfast-test").forceConflicts()
            .serverSideApply())
        .toList();
    applied.stream().filter(o -> o instanceof CustomResourceDefinition).forEach(crd -> await(
        "CRD " + crd.getMetadata().getName() + " is established",
        () -> client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get()
            .getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"))));
    return applied;
  }

  private String defaultNamespace(HasMetadata object) {
    String ns = object.getMetadata().getNamespace();
    return ns == null || ns.isEmpty() ? namespace : ns;
  }

  /** Waits (at most {@link #DEFAULT_WAIT}) until {@code condition} holds, polling. */
  public void await(String what, Supplier<Boolean> condition) {
    org.awaitility.Awaitility.await(what).atMost(DEFAULT_WAIT).pollInterval(Duration.ofMillis(100))
        .until(condition::get);
  }

  /**
   * Registers a mutating webhook for Pod CREATE by URL with a CA bundle, as envtest does, for the
   * class's namespace only; returns the stored configuration. The caller deletes it.
   *
   * @param failurePolicy {@code Fail} or {@code Ignore}
   */
  public MutatingWebhookConfiguration registerPodWebhook(String name, String url, String caPem, String failurePolicy) {
    MutatingWebhookConfiguration config = new MutatingWebhookConfigurationBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .addNewWebhook()
          .withName(name + ".holdfast.test")
          .withAdmissionReviewVersions("v1")
          .withSideEffects("None")
          .withFailurePolicy(failurePolicy)
          .withTimeoutSeconds(5)
          .withNewClientConfig()
            .withUrl(url)
            .withCaBundle(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII)))
          .endClientConfig()
          .withNewNamespaceSelector()
            .addToMatchLabels("kubernetes.io/metadata.name", namespace)
          .endNamespaceSelector()
          .addNewRule()
            .withApiGroups("")
            .withApiVersions("v1")
            .withOperations("CREATE")
            .withResources("pods")
            .withScope("Namespaced")
          .endRule()
        .endWebhook()
        .build();
    return client.resource(config).create();
  }
}
