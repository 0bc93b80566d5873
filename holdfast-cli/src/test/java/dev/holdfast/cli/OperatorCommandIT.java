package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.rewrite.OriginalImages;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code holdfast operator} run out of the cluster as the image clone controller's users run it,
 * with its flags as written, in two processes that elect a leader; then {@code holdfast restore}.
 * Runs after {@code package}: it starts the shaded jar.
 */
class OperatorCommandIT {
  private static final Path JAR = Path.of("target/holdfast.jar").toAbsolutePath();
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final Pattern METRICS = Pattern.compile("Serving /metrics, /healthz and /readyz on /?([0-9.]+:[0-9]+)");

  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.basicAuth();
  @TempDir static Path work;

  static WrittenImage image;
  static String operatorNamespace;
  static final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void setUp() throws IOException {
    assertThat(JAR).as("the shaded jar (this test runs after package)").exists();
    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    image = SyntheticImage.builder().seed(31).layers(2).layerSize(20_000).multiArch().build()
        .writeTo(work.resolve("layout"), "shop");
    skopeo.push(image, source.image("shop/web:3"));
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
    operatorNamespace = kube.newNamespace("image-clone-controller");
  }

  @AfterAll
  static void tearDown() {
    processes.forEach(Process::destroyForcibly);
    kube.client().resources(ImageCopy.class).delete();
  }

  /** The seed's command line, verbatim but for the values, plus what an out-of-cluster run needs. */
  private static Process operator(String identity, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-jar", JAR.toString(), "operator",
        "-registry=" + destination.hostPort(),
        "-registry-username=" + destination.credentials().username(),
        "-registry-password=" + destination.credentials().password(),
        "-repository", "me",
        "-exclude-namespaces=kube-system,local-path-storage,image-clone-controller",
        "--kubeconfig", kube.plane().kubeconfig().toString(),
        "--namespace", operatorNamespace,
        "--identity", identity,
        "--ca-file", destination.ca().caFile().toString(),
        "--metrics-address", "127.0.0.1:0"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(process);
    return process;
  }

  private static String holder() {
    Lease lease = kube.client().leases().inNamespace(operatorNamespace).withName("holdfast-operator").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static String deployment(String name) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %s}
        spec:
          selector: {matchLabels: {app: %s}}
          template:
            metadata: {labels: {app: %s}}
            spec:
              imagePullSecrets: [{name: existing}]
              containers: [{name: web, image: "%s/shop/web:3"}]
        """.formatted(name, name, name, source.hostPort());
  }

  private static String imageOf(String name) {
    return kube.client().apps().deployments().inNamespace(kube.namespace()).withName(name).get().getSpec()
        .getTemplate().getSpec().getContainers().get(0).getImage();
  }

  @Test
  void runsWithTheSeedsFlagsElectsALeaderSurvivesItsDeathAndRestores() throws Exception {
    Path logA = work.resolve("operator-a.log");
    Path logB = work.resolve("operator-b.log");
    Process a = operator("replica-a", logA);
    Process b = operator("replica-b", logB);
    kube.await("a leader is elected", () -> holder() != null);
    String leader = holder();

    kube.apply(deployment("web"));
    kube.await("web points at its copy", () -> imageOf("web").startsWith(destination.hostPort() + "/me/"));
    assertThat(imageOf("web")).endsWith("/shop/web:3@" + image.digest());
    Deployment web = kube.client().apps().deployments().inNamespace(kube.namespace()).withName("web").get();
    assertThat(web.getSpec().getTemplate().getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
        .containsExactly("existing", "holdfast-pull");
    // the excluded namespace (the seed's own) is never touched
    kube.client().resource(kube.client().getKubernetesSerialization().unmarshal(deployment("inside"),
        Deployment.class)).inNamespace(operatorNamespace).create();

    Process leaderProcess = leader.equals("replica-a") ? a : b;
    Process standby = leaderProcess == a ? b : a;
    Path standbyLog = standby == a ? logA : logB;
    assertThat(Files.readString(leader.equals("replica-a") ? logA : logB)).contains("Created ImageCopy");
    assertThat(Files.readString(standbyLog)).doesNotContain("Created ImageCopy");

    leaderProcess.destroyForcibly().waitFor();
    kube.await("the standby takes the lease", () -> !leader.equals(holder()) && holder() != null);
    kube.apply(deployment("after-failover"));
    kube.await("after-failover points at its copy", () -> imageOf("after-failover")
        .startsWith(destination.hostPort() + "/me/"));

    String metrics = scrape(standbyLog);
    assertThat(metrics).contains("holdfast_images{state=\"ready\"} 1.0");
    assertThat(kube.client().apps().deployments().inNamespace(operatorNamespace).withName("inside").get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).startsWith(source.hostPort());

    standby.destroy(); // SIGTERM: a clean stop
    assertThat(standby.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    Process restore = new ProcessBuilder(JAVA.toString(), "-jar", JAR.toString(), "restore", "-n", kube.namespace(),
        "deployment/web", "--kubeconfig", kube.plane().kubeconfig().toString()).redirectErrorStream(true).start();
    String restoreOutput = new String(restore.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(restore.waitFor()).as(restoreOutput).isZero();
    assertThat(restoreOutput).contains("restored deployment/web in " + kube.namespace());
    Deployment restored = kube.client().apps().deployments().inNamespace(kube.namespace()).withName("web").get();
    assertThat(imageOf("web")).isEqualTo(source.hostPort() + "/shop/web:3");
    assertThat(restored.getSpec().getTemplate().getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
        .containsExactly("existing");
    assertThat(restored.getMetadata().getAnnotations()).doesNotContainKey(OriginalImages.ANNOTATION);
    assertThat(imageOf("after-failover")).startsWith(destination.hostPort());

    // No credential in any log line, Event or status written during the test.
    String password = destination.credentials().password();
    assertThat(Files.readString(logA)).doesNotContain(password);
    assertThat(Files.readString(logB)).doesNotContain(password);
    assertThat(restoreOutput).doesNotContain(password);
    assertThat(kube.client().v1().events().inAnyNamespace().list().getItems())
        .allSatisfy(e -> assertThat(e.getMessage()).doesNotContain(password));
    assertThat(kube.client().resources(ImageCopy.class).list().getItems())
        .allSatisfy(c -> assertThat(kube.client().getKubernetesSerialization().asJson(c.getStatus()))
            .doesNotContain(password));
  }

  private static String scrape(Path log) throws IOException, InterruptedException {
    Matcher matcher = METRICS.matcher(Files.readString(log));
    assertThat(matcher.find()).as("the operator says where it serves metrics").isTrue();
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://" + matcher.group(1) + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    HttpResponse<String> ready = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://" + matcher.group(1) + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
    return response.body();
  }

}
