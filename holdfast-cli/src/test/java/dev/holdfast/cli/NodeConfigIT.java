package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.copy.DestinationNaming;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.api.ImageCopySpec;
import dev.holdfast.operator.api.ImageCopyStatus;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code holdfast node-config} against real runtimes' pulling code: skopeo (containers/image, as
 * CRI-O pulls) with the rendered registries.conf, and Debian's containerd with the rendered
 * hosts.toml files; in both, the source registry is down and the copy serves the pull.
 */
class NodeConfigIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension copies = RegistryExtension.plain();
  @TempDir static Path work;

  static Skopeo skopeo;
  static WrittenImage image;
  static ImageReference copy;
  static final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void setUp() throws IOException {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    image = SyntheticImage.builder().seed(81).layers(1).layerSize(20_000).platforms("linux/amd64").build()
        .writeTo(work.resolve("layout"), "app");
    skopeo.push(image, source.image("team/app:1"));
    ImageReference sourceRef = ImageReference.parse(source.hostPort() + "/team/app:1");
    copy = ((ImageLocation.Registry) new DestinationNaming.Keep(copies.hostPort(), "keep").destinationFor(sourceRef))
        .reference();
    skopeo.copy(source.image("team/app:1"), copies.image(copy.repository() + ":1"));
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
    imageCopy("node-config-app", sourceRef.toString(), copy.withDigest(
        dev.holdfast.oci.reference.Digest.parse(image.digest())).toString(), true);
    imageCopy("node-config-pending", source.hostPort() + "/team/pending:1", null, false);
    source.stop(); // the source is down from here on
  }

  @AfterAll
  static void tearDown() {
    started.forEach(Process::destroyForcibly);
    kube.client().resources(ImageCopy.class).delete();
  }

  private static void imageCopy(String name, String sourceRef, String copyRef, boolean ready) {
    imageCopy(name, sourceRef, copyRef, ready, "holdfast-flags");
  }

  private static void imageCopy(String name, String sourceRef, String copyRef, boolean ready, String policy) {
    ImageCopy object = kube.client().resources(ImageCopy.class)
        .resource(ImageCopy.of(name, new ImageCopySpec(sourceRef, policy, List.of()))).create();
    setReady(object, copyRef, ready);
  }

  private static void setReady(ImageCopy object, String copyRef, boolean ready) {
    ImageCopyStatus status = new ImageCopyStatus();
    status.setCopy(copyRef);
    status.setPrivateSource(false);
    status.setConditions(Conditions.set(List.of(), "Ready", ready, ready ? "Verified" : "Copying", "", 1,
        Instant.now()));
    object.setStatus(status);
    kube.client().resources(ImageCopy.class).resource(object).updateStatus();
  }

  private static Cli.Run nodeConfig(String... args) {
    List<String> all = new ArrayList<>(List.of("node-config", "--kubeconfig", kube.plane().kubeconfig().toString(),
        "--insecure-registry", copies.hostPort()));
    if (!List.of(args).contains("--every")) {
      all.addAll(List.of("--policy", "holdfast-flags")); // the operator's flags' policy is not in the cluster
    }
    all.addAll(List.of(args));
    return Cli.run(all.toArray(String[]::new));
  }

  @Test
  void containersImagePullsTheSourceFromItsCopyWhileTheSourceIsDown() throws IOException {
    Cli.Run run = nodeConfig("--format", "registries.conf");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("prefix = \"" + source.hostPort() + "/team/app\"")
        .contains("location = \"" + copy.name() + "\"").doesNotContain("team/pending");
    Path conf = Files.writeString(work.resolve("holdfast.conf"), run.out());
    copies.clearRequests();

    Skopeo.Result pulled = skopeo.run(List.of("--registries-conf", conf.toString(), "copy", "--quiet",
        "--src-tls-verify=false", "docker://" + source.hostPort() + "/team/app:1", "oci:" + work.resolve("pulled")
            + ":app"));

    assertThat(pulled.exitCode()).as(pulled.stderr()).isZero();
    assertThat(copies.requests()).anyMatch(r -> r.method().equals("GET") && r.path().contains(copy.repository()
        + "/manifests/"));
  }

  @Test
  void containerdPullsTheSourceFromItsCopyByTagAndByDigestWhileTheSourceIsDown() throws Exception {
    Path hosts = work.resolve("certs.d");
    Cli.Run run = nodeConfig("--format", "containerd", "--write", hosts.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readString(hosts.resolve(source.hostPort()).resolve("hosts.toml")))
        .contains("[host.\"http://" + copies.hostPort() + "/v2/keep/" + copy.repository().split("/")[1] + "\"]")
        .contains("override_path = true");
    Path root = Files.createDirectories(work.resolve("containerd"));
    Path config = Files.writeString(root.resolve("config.toml"), """
        version = 2
        root = "%1$s/root"
        state = "%1$s/state"
        disabled_plugins = ["io.containerd.grpc.v1.cri"]
        [grpc]
          address = "%1$s/containerd.sock"
        """.formatted(root));
    Process containerd = new ProcessBuilder("containerd", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(root.resolve("containerd.log").toFile()).start();
    started.add(containerd);
    String address = root.resolve("containerd.sock").toString();
    kube.await("containerd answers", () -> ctr(address, "version").exitCode() == 0);
    copies.clearRequests();

    Cli.Run byTag = ctr(address, "images", "pull", "--snapshotter", "native", "--hosts-dir", hosts.toString(),
        source.hostPort() + "/team/app:1");
    Cli.Run byDigest = ctr(address, "images", "pull", "--snapshotter", "native", "--hosts-dir", hosts.toString(),
        source.hostPort() + "/team/app@" + image.digest());

    assertThat(byTag.exitCode()).as(byTag.out() + byTag.err()).isZero();
    assertThat(byDigest.exitCode()).as(byDigest.out() + byDigest.err()).isZero();
    assertThat(copies.requests()).anyMatch(r -> r.path().contains(copy.repository() + "/manifests/1"))
        .anyMatch(r -> r.path().contains(copy.repository() + "/manifests/" + image.digest()));
  }

  @Test
  void everyKeepsTheFilesOfNodeMirrorPoliciesCurrentAndRemovesOnlyItsOwnStaleFiles() throws Exception {
    kube.apply("""
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: nodes}
        spec: {destination: {registry: "%1$s", repository: keep}, rewrite: NodeMirror}
        ---
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: pods}
        spec: {destination: {registry: "%1$s", repository: keep}, rewrite: Webhook}
        """.formatted(copies.hostPort()));
    String kept = copies.hostPort() + "/keep/kept.example.com/team/app:1@" + image.digest();
    imageCopy("node-config-kept", "kept.example.com/team/app:1", kept, true, "nodes");
    imageCopy("node-config-webhook", "webhook.example.com/team/app:1",
        copies.hostPort() + "/keep/webhook.example.com/team/app:1@" + image.digest(), true, "pods");
    Path hosts = work.resolve("kept");
    Path foreign = Files.createDirectories(hosts.resolve("other.example.com")).resolve("hosts.toml");
    Files.writeString(foreign, "server = \"https://other.example.com\"\n");
    Path keptFile = hosts.resolve("kept.example.com").resolve("hosts.toml");
    Thread keeper = new Thread(() -> nodeConfig("--format", "containerd", "--write", hosts.toString(),
        "--every", "1s"));
    keeper.start();
    try {
      kube.await("the NodeMirror policy's source registry gets its hosts.toml", () -> Files.isRegularFile(keptFile));
      assertThat(hosts.resolve("webhook.example.com")).doesNotExist(); // a Webhook policy's copies are not mirrored
      assertThat(hosts.resolve(source.hostPort())).doesNotExist(); // nor those of the operator's flags' policy

      setReady(kube.client().resources(ImageCopy.class).withName("node-config-kept").get(), kept, false);
      kube.await("a registry without a rule any more loses its hosts.toml", () -> !Files.exists(keptFile));
      assertThat(foreign).hasContent("server = \"https://other.example.com\"");

      setReady(kube.client().resources(ImageCopy.class).withName("node-config-kept").get(), kept, true);
      kube.await("it is written again once the copy is verified again", () -> Files.isRegularFile(keptFile));
    } finally {
      keeper.interrupt();
      keeper.join(Duration.ofSeconds(30));
      kube.client().resources(ImagePolicy.class).delete();
    }
  }

  @Test
  void everyNeedsADirectoryAndAPositiveDuration() {
    assertThat(Cli.run("node-config", "--format", "containerd", "--every", "1s").err())
        .contains("--every keeps files current: it needs --write DIR");
    assertThat(Cli.run("node-config", "--format", "containerd", "--write", "x", "--every", "0s").err())
        .contains("--every: \"0s\" must be longer than zero");
  }

  private static Cli.Run ctr(String address, String... args) {
    List<String> command = new ArrayList<>(List.of("ctr", "--address", address));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean ended = process.waitFor(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS);
      return new Cli.Run(ended ? process.exitValue() : -1, output, "");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    }
  }
}
