package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryRequest;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import dev.holdfast.operator.testing.CredentialScan;
import dev.holdfast.operator.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault tests of the operator's own processes (issue 25), each {@code holdfast operator} started
 * from the shaded jar as {@link OperatorCommandIT} does: the leader killed with SIGKILL in the middle
 * of a copy, and the process serving the admission webhook killed. Each states what was lost
 * (nothing) and what was done twice (nothing). Runs after {@code package}.
 */
class OperatorFaultsIT {
  private static final Path JAR = Path.of("target/holdfast.jar").toAbsolutePath();
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.basicAuth();
  @TempDir static Path work;

  static Skopeo skopeo;
  static WrittenImage small;
  static WrittenImage big;
  static WrittenImage later;
  final List<Process> processes = new ArrayList<>();
  final List<Path> logs = new ArrayList<>();
  final List<String> namespaces = new ArrayList<>();

  @BeforeAll
  static void setUp() throws IOException {
    assertThat(JAR).as("the shaded jar (this test runs after package)").exists();
    skopeo = Skopeo.create(work.resolve("skopeo"));
    Path layout = work.resolve("layout");
    small = SyntheticImage.builder().seed(91).layers(2).layerSize(20_000).platforms("linux/amd64").build()
        .writeTo(layout, "small");
    big = SyntheticImage.builder().seed(92).layers(2).layerSize(4_000_000).platforms("linux/amd64").build()
        .writeTo(layout, "big");
    later = SyntheticImage.builder().seed(93).layers(1).layerSize(20_000).platforms("linux/amd64").build()
        .writeTo(layout, "later");
    skopeo.push(small, source.image("faults/small:1"));
    skopeo.push(big, source.image("faults/big:1"));
    skopeo.push(small, source.image("hooked/first:1"));
    skopeo.push(later, source.image("hooked/later:1"));
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
  }

  @AfterEach
  void stopProcesses() throws InterruptedException {
    for (Process process : processes) {
      process.destroyForcibly().waitFor();
    }
    kube.client().resources(ImageCopy.class).delete(); // cluster-scoped: the next test starts clean
    // the workloads too: an operator of a later class in this JVM must not find them
    namespaces.forEach(namespace -> kube.client().namespaces().withName(namespace).delete());
  }

  private String namespace(String prefix) {
    String namespace = kube.newNamespace(prefix);
    namespaces.add(namespace);
    return namespace;
  }

  @AfterAll
  static void tearDown() {
    kube.client().admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName(WebhookSettings.CONFIGURATION).delete();
  }

  /** {@code holdfast operator} as the seed's users run it, covering only {@code workloads}. */
  private Process operator(String identity, String ownNamespace, String workloads, List<String> more)
      throws IOException {
    Path log = work.resolve(identity + ".log");
    String excluded = kube.client().namespaces().list().getItems().stream().map(n -> n.getMetadata().getName())
        .filter(n -> !n.equals(workloads)).collect(Collectors.joining(","));
    List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-jar", JAR.toString(), "operator",
        "-registry=" + destination.hostPort(),
        "-registry-username=" + destination.credentials().username(),
        "-registry-password=" + destination.credentials().password(),
        "-repository", "me",
        "-exclude-namespaces=" + excluded,
        "--kubeconfig", kube.plane().kubeconfig().toString(),
        "--namespace", ownNamespace,
        "--identity", identity,
        "--ca-file", destination.ca().caFile().toString(),
        "--metrics-address", "127.0.0.1:0"));
    command.addAll(more);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(process);
    logs.add(log);
    return process;
  }

  private static Lease lease(String namespace) {
    return kube.client().leases().inNamespace(namespace).withName("holdfast-operator").get();
  }

  private static Optional<String> holder(String namespace) {
    return Optional.ofNullable(lease(namespace)).map(l -> l.getSpec().getHolderIdentity());
  }

  private static Deployment deployment(String namespace, String name, String image) {
    return kube.client().apps().deployments().inNamespace(namespace).resource(kube.client()
        .getKubernetesSerialization().unmarshal("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: %1$s}
            spec:
              replicas: 0
              selector: {matchLabels: {app: %1$s}}
              template:
                metadata: {labels: {app: %1$s}}
                spec:
                  containers: [{name: main, image: "%2$s"}]
            """.formatted(name, image), Deployment.class)).create();
  }

  private static String imageOf(String namespace, String name) {
    return kube.client().apps().deployments().inNamespace(namespace).withName(name).get().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getImage();
  }

  private static Optional<ImageCopy> copyOf(String sourceReference) {
    return kube.client().resources(ImageCopy.class).list().getItems().stream()
        .filter(c -> c.getSpec().getSource().equals(sourceReference)).findFirst();
  }

  /**
   * The leader killed with SIGKILL while it copies an image (its source stalled half-way through a
   * layer): the standby takes the lease within the lease's term and finishes the copy. Lost: nothing,
   * the image the dead leader was copying is copied, verified and its Deployment patched by the new
   * leader. Done twice: nothing, the Deployment the dead leader had patched is not patched again (its
   * generation stays 2), nor is the other patched twice; the copy the dead leader had verified keeps
   * its verifiedAt; the destination's access log shows each manifest pushed once and each blob
   * committed once. No Deployment is ever pointed at a copy that is not verified: a watch sees every
   * version of the templates. The takeover is measured from the SIGKILL and from the dead leader's
   * last renewal, against the Lease's own duration: the standby may not take it sooner than one term
   * after that renewal, and must not miss the next.
   */
  @Test
  @SuppressWarnings("try") // the watch is only held open
  void theLeaderKilledMidCopyIsReplacedByTheStandbyWithinTheLeaseAndNothingIsPatchedTwice() throws Exception {
    String workloads = namespace("leader-kill");
    String own = namespace("leader-kill-operator");
    List<String> violations = new CopyOnWriteArrayList<>();
    List<String> seenImages = new CopyOnWriteArrayList<>();
    try (StallingRelay stalling = new StallingRelay(source.port(), 300_000);
        Watch ignored = kube.client().apps().deployments().inNamespace(workloads).watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, Deployment deployment) {
            String image = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
            seenImages.add(deployment.getMetadata().getName() + " " + image);
            if (image.startsWith(destination.hostPort())) {
              // at the moment the template names a copy, that copy must be the verified one
              Optional<ImageCopy> copy = kube.client().resources(ImageCopy.class).list().getItems().stream()
                  .filter(c -> CopyStatus.isReady(c) && image.equals(c.getStatus().getCopy())).findFirst();
              if (copy.isEmpty()) {
                violations.add(deployment.getMetadata().getName() + " named " + image + " with no verified copy");
              }
            }
          }

          @Override
          public void onClose(WatcherException cause) { }
        })) {
      Process a = operator("leader-a", own, workloads, List.of());
      Process b = operator("leader-b", own, workloads, List.of());
      kube.await("a leader is elected", () -> holder(own).isPresent());
      String leader = holder(own).orElseThrow();
      Process leaderProcess = leader.equals("leader-a") ? a : b;
      String standby = leaderProcess == a ? "leader-b" : "leader-a";

      deployment(workloads, "done", source.hostPort() + "/faults/small:1");
      kube.await("done points at its copy", () -> imageOf(workloads, "done").startsWith(destination.hostPort()));
      ImageCopy doneCopy = copyOf(source.hostPort() + "/faults/small:1").orElseThrow();
      String stalledSource = "127.0.0.1:" + stalling.port() + "/faults/big:1";
      deployment(workloads, "in-flight", stalledSource);
      kube.await("the leader is copying in-flight's image, stalled half-way", () -> stalling.stalled() > 0
          && copyOf(stalledSource).map(c -> !CopyStatus.isReady(c)).orElse(false));
      assertThat(holder(own)).contains(leader);

      leaderProcess.destroyForcibly().waitFor(); // SIGKILL
      Instant killed = Instant.now();
      Lease before = lease(own); // the dead leader's last renewal
      stalling.release();
      kube.await("the standby takes the lease", () -> holder(own).filter(standby::equals).isPresent());
      Duration takeover = Duration.between(killed, Instant.now());
      Lease after = lease(own);
      Duration lastRenewalToAcquired = Duration.between(before.getSpec().getRenewTime().toInstant(),
          after.getSpec().getAcquireTime().toInstant());
      Duration leaseTerm = Duration.ofSeconds(after.getSpec().getLeaseDurationSeconds());
      System.out.printf("takeover: %d ms after the SIGKILL, %d ms after the dead leader's last renewal"
          + " (lease %d s, retry period %d s)%n", takeover.toMillis(), lastRenewalToAcquired.toMillis(),
          leaseTerm.toSeconds(), LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE.toSeconds());
      assertThat(after.getSpec().getHolderIdentity()).isEqualTo(standby);
      assertThat(after.getSpec().getLeaseTransitions()).isEqualTo(before.getSpec().getLeaseTransitions() + 1);
      // never two leaders: the standby waited out the dead leader's term; and it took over within the
      // next term (the bound is loose on purpose: it fails only if the standby missed a whole term)
      assertThat(lastRenewalToAcquired).isGreaterThanOrEqualTo(leaseTerm).isLessThan(leaseTerm.multipliedBy(2));

      kube.await("in-flight points at its copy", () -> imageOf(workloads, "in-flight")
          .startsWith(destination.hostPort()));
      ImageCopy copy = copyOf(stalledSource).orElseThrow();
      assertThat(CopyStatus.isReady(copy)).isTrue();
      assertThat(copy.getStatus().getDigest()).isEqualTo(big.digest());
      assertThat(imageOf(workloads, "in-flight")).isEqualTo(copy.getStatus().getCopy());
      String repository = copy.getStatus().getCopy().substring(destination.hostPort().length() + 1,
          copy.getStatus().getCopy().indexOf('@'));
      assertThat(skopeo.digestOf(destination.image(repository))).as("the copy, read back by skopeo")
          .isEqualTo(big.digest());

      // Done twice: nothing
      for (String name : List.of("done", "in-flight")) {
        assertThat(kube.client().apps().deployments().inNamespace(workloads).withName(name).get().getMetadata()
            .getGeneration()).as("%s is patched once", name).isEqualTo(2L);
      }
      Map<String, Long> manifestPuts = destination.requests().stream()
          .filter(r -> r.isManifestPut() && r.status() == 201 && r.path().contains("/faults/"))
          .collect(Collectors.groupingBy(RegistryRequest::path, Collectors.counting()));
      assertThat(manifestPuts).hasSize(2).allSatisfy((path, puts) -> assertThat(puts).as(path).isEqualTo(1));
      assertThat(violations).as("templates seen: %s", seenImages).isEmpty();
      // each blob (2 layers and a config per image) committed once: the dead leader's upload of the
      // stalled layer never completed, the standby's did, and nothing of done's image was uploaded again
      Map<String, Long> blobCommits = destination.requests().stream()
          .filter(r -> r.repository().filter(name -> name.contains("/faults/")).isPresent())
          .filter(r -> r.path().contains("/blobs/uploads/") && r.path().contains("digest=") && r.status() == 201)
          .collect(Collectors.groupingBy(r -> r.repository().orElseThrow() + " " + r.path().replaceAll(".*digest=", ""),
              Collectors.counting()));
      System.out.printf("destination: manifest pushes %s; blob commits %s%n", manifestPuts, blobCommits);
      assertThat(blobCommits).hasSize(6).allSatisfy((blob, commits) -> assertThat(commits).as(blob).isEqualTo(1));
      assertThat(copyOf(source.hostPort() + "/faults/small:1").orElseThrow().getStatus().getVerifiedAt())
          .as("done's copy is the one the dead leader verified").isEqualTo(doneCopy.getStatus().getVerifiedAt());
    }
    assertNoPasswordWritten();
  }

  /**
   * The process serving the admission webhook killed with SIGKILL (Webhook mode, failurePolicy
   * Ignore): Pods are still created while nothing answers at the webhook's address, unchanged, and a
   * new process picks them up. Lost: nothing, the image of a Pod created while the webhook was dead
   * gets its ImageCopy and verified copy, and later Pods are pointed at it. Done twice: nothing, the
   * image copied before the kill is not copied again.
   */
  @Test
  void podsCreatedWhileTheWebhookProcessIsDeadAreAdmittedAndPickedUpAfterwards() throws Exception {
    String workloads = namespace("webhook-kill");
    String own = namespace("webhook-kill-operator");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> webhookFlags = List.of("--rewrite", "Webhook", "--webhook-address", "127.0.0.1:" + port,
        "--no-leader-elect");
    Process first = operator("webhook-1", own, workloads, webhookFlags);
    kube.await("the webhook is registered at 127.0.0.1:" + port, () -> {
      MutatingWebhookConfiguration config = kube.client().admissionRegistration().v1()
          .mutatingWebhookConfigurations().withName(WebhookSettings.CONFIGURATION).get();
      return config != null && config.getWebhooks().get(0).getClientConfig().getCaBundle() != null
          && config.getWebhooks().get(0).getClientConfig().getUrl().contains(":" + port + "/");
    });
    String firstImage = source.hostPort() + "/hooked/first:1";
    pod(workloads, "first-0", firstImage);
    kube.await("a verified copy of " + firstImage, () -> copyOf(firstImage).filter(CopyStatus::isReady).isPresent());
    ImageCopy firstCopy = copyOf(firstImage).orElseThrow();
    kube.await("a Pod is pointed at the copy by the webhook", () -> pod(workloads, "first-" + System.nanoTime(),
        firstImage).getSpec().getContainers().get(0).getImage().equals(firstCopy.getStatus().getCopy()));

    first.destroyForcibly().waitFor(); // SIGKILL
    String laterImage = source.hostPort() + "/hooked/later:1";
    Pod whileDead = pod(workloads, "while-dead", laterImage);
    Pod copiedWhileDead = pod(workloads, "copied-while-dead", firstImage);
    assertThat(whileDead.getSpec().getContainers().get(0).getImage()).isEqualTo(laterImage);
    assertThat(copiedWhileDead.getSpec().getContainers().get(0).getImage())
        .as("created unchanged: nothing answers the webhook").isEqualTo(firstImage);
    assertThat(copyOf(laterImage)).as("no process runs to see it yet").isEmpty();

    operator("webhook-2", own, workloads, webhookFlags);
    kube.await("the new process copies the image of the Pod created while the webhook was dead",
        () -> copyOf(laterImage).filter(CopyStatus::isReady).isPresent());
    ImageCopy laterCopy = copyOf(laterImage).orElseThrow();
    assertThat(laterCopy.getStatus().getDigest()).isEqualTo(later.digest());
    kube.await("later Pods are pointed at it", () -> pod(workloads, "later-" + System.nanoTime(), laterImage)
        .getSpec().getContainers().get(0).getImage().equals(laterCopy.getStatus().getCopy()));

    // Done twice: nothing. The first image's copy is the one verified before the kill.
    assertThat(copyOf(firstImage).orElseThrow().getStatus().getVerifiedAt())
        .isEqualTo(firstCopy.getStatus().getVerifiedAt());
    Map<String, Long> manifestPuts = destination.requests().stream()
        .filter(r -> r.isManifestPut() && r.status() == 201 && r.path().contains("/hooked/"))
        .collect(Collectors.groupingBy(RegistryRequest::path, Collectors.counting()));
    assertThat(manifestPuts).hasSize(2).allSatisfy((path, puts) -> assertThat(puts).as(path).isEqualTo(1));
    assertNoPasswordWritten();
  }

  private static Pod pod(String namespace, String name, String image) {
    return kube.client().pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
        .endMetadata().withNewSpec().addNewContainer().withName("main").withImage(image).endContainer().endSpec()
        .build()).create();
  }

  // issue 25: no credential in what the operators wrote (their logs) or the API server holds from them
  private void assertNoPasswordWritten() {
    CredentialScan scan = CredentialScan.of(kube.client());
    logs.forEach(scan::addFile);
    assertThat(scan.scanned()).as("the scan reads the operators' logs").contains("Created ImageCopy");
    assertThat(scan.findings(List.of(new CredentialScan.Secret(destination.credentials().username(),
        destination.credentials().password())))).as("credentials in logs, Events or statuses").isEmpty();
  }
}
