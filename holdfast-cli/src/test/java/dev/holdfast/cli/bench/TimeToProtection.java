package dev.holdfast.cli.bench;

import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.testing.ControlPlane;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark, not a test (bench/time-to-protection.sh runs it): how long after a workload names a new
 * image its ImageCopy is Ready (copied and verified) and the workload points at the copy, next to
 * `holdfast copy` of the same image between the same registries, in alternating runs.
 *
 * <p>Arguments: JAR WORKDIR RUNS LAYERS LAYER_BYTES.
 */
public final class TimeToProtection {
  private TimeToProtection() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]).toAbsolutePath();
    Path work = Files.createDirectories(Path.of(args[1]));
    int runs = Integer.parseInt(args[2]);
    int layers = Integer.parseInt(args[3]);
    long layerBytes = Long.parseLong(args[4]);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");

    ControlPlane plane = ControlPlane.shared();
    RegistryExtension source = RegistryExtension.plain();
    RegistryExtension destination = RegistryExtension.plain();
    source.open();
    destination.open();
    Process operator = null;
    try (KubernetesClient kube = plane.newClient()) {
      Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
      WrittenImage image = SyntheticImage.builder().seed(7).layers(layers).layerSize(layerBytes)
          .platforms("linux/amd64").build().writeTo(work.resolve("layout"), "bench");
      for (int i = 1; i <= runs; i++) {
        skopeo.push(image, source.image("bench/op-" + i + ":1"));
        skopeo.push(image, source.image("bench/cli-" + i + ":1"));
      }
      for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
        kube.load(Files.newInputStream(plane.repositoryRoot().resolve("deploy/crds").resolve(crd))).serverSideApply();
      }
      kube.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
          .withName("bench").endMetadata().build()).serverSideApply();
      operator = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "operator",
          "--registry", destination.hostPort(), "--repository", "op", "--kubeconfig", plane.kubeconfig().toString(),
          "--namespace", "holdfast-system", "--no-leader-elect", "--metrics-address", "")
          .redirectErrorStream(true).redirectOutput(work.resolve("operator.log").toFile()).start();
      Thread.sleep(Duration.ofSeconds(10)); // the operator's start-up is not what is measured

      List<double[]> rows = new ArrayList<>();
      for (int i = 1; i <= runs; i++) {
        double copy = copyTime(java, jar, source.hostPort() + "/bench/cli-" + i + ":1",
            destination.hostPort() + "/cli/bench/cli-" + i + ":1");
        double[] operatorTimes = protectionTime(kube, source.hostPort() + "/bench/op-" + i + ":1", i);
        rows.add(new double[] {copy, operatorTimes[0], operatorTimes[1]});
      }
      System.out.printf(Locale.ROOT, "image: %d layers of %d bytes; %d runs, alternating%n%n", layers, layerBytes,
          runs);
      System.out.println("| run | holdfast copy (s) | sighting to Ready (s) | sighting to patched (s) |");
      System.out.println("| --- | --- | --- | --- |");
      for (int i = 0; i < rows.size(); i++) {
        System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f | %.2f |%n", i + 1, rows.get(i)[0], rows.get(i)[1],
            rows.get(i)[2]);
      }
      double copyMedian = median(rows, 0);
      double readyMedian = median(rows, 1);
      double patchedMedian = median(rows, 2);
      System.out.printf(Locale.ROOT, "| median | %.2f | %.2f | %.2f |%n%n", copyMedian, readyMedian, patchedMedian);
      System.out.printf(Locale.ROOT, "sighting to patched = holdfast copy + %.2f s (ratio %.2f)%n",
          patchedMedian - copyMedian, patchedMedian / copyMedian);
    } finally {
      if (operator != null) {
        operator.destroy();
        operator.waitFor(30, TimeUnit.SECONDS);
      }
      source.close();
      destination.close();
      plane.stop();
    }
  }

  private static double copyTime(Path java, Path jar, String from, String to) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process copy = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "copy", from, to)
        .redirectErrorStream(true).start();
    String output = new String(copy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (copy.waitFor() != 0) {
      throw new IllegalStateException("holdfast copy failed: " + output);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static double[] protectionTime(KubernetesClient kube, String image, int run) throws InterruptedException {
    String name = "web-" + run;
    long start = System.nanoTime();
    kube.apps().deployments().inNamespace("bench").resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    double ready = -1;
    while (true) {
      if (ready < 0 && kube.resources(ImageCopy.class).list().getItems().stream()
          .anyMatch(c -> c.getSpec().getSource().equals(image) && CopyStatus.isReady(c))) {
        ready = (System.nanoTime() - start) / 1e9;
      }
      Deployment deployment = kube.apps().deployments().inNamespace("bench").withName(name).get();
      if (ready >= 0 && deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()
          .contains("/op/")) {
        return new double[] {ready, (System.nanoTime() - start) / 1e9};
      }
      if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(10)) {
        throw new IllegalStateException(image + " was not protected within 10 minutes");
      }
      Thread.sleep(20);
    }
  }

  private static double median(List<double[]> rows, int column) {
    double[] values = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return values.length % 2 == 1 ? values[values.length / 2]
        : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
  }
}
