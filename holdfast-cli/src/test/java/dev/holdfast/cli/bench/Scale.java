package dev.holdfast.cli.bench;

import dev.holdfast.oci.copy.CopyEngine;
import dev.holdfast.oci.copy.CopyOptions;
import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.CopyResult;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.testing.ControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark, not a test (bench/scale.sh runs it; issue 25): {@code holdfast operator}, a process of its
 * own, against a real control plane in which PODS bare Pods are created across NAMESPACES namespaces,
 * naming IMAGES distinct small images of a local registry; the operator copies them to a second
 * one. It reports the time until every ImageCopy exists and until all are Ready (from the first
 * Pod's creation), the operator's peak RSS and heap, and the API server's own count of requests
 * during the run (apiserver_request_total, before and after), with the writes per ImageCopy seen
 * on a watch. Optionally, bench's WebhookLoad runs at the same time in a JVM of its own.
 *
 * <p>Arguments: JAR WORKDIR PODS NAMESPACES IMAGES MODE WEBHOOK_LOAD_SECONDS (0: none).
 * Environment: SCALE_OPERATOR_JAVA_OPTS, the operator's JVM options.
 */
public final class Scale {
  private static final PrintStream OUT = System.out;
  /** From the first Pod's creation; SCALE_TIMEOUT_MINUTES. */
  private static final Duration TIMEOUT = Duration.ofMinutes(
      Long.parseLong(System.getenv().getOrDefault("SCALE_TIMEOUT_MINUTES", "20")));
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final int CREATORS = 32;

  private Scale() {}

  /** What the watch on ImageCopies saw of one copy, in nanoseconds since the first Pod's creation. */
  static final class Seen {
    final List<String> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile long created = -1;
    volatile long ready = -1;
    final AtomicInteger modified = new AtomicInteger();
    final AtomicInteger statusChanges = new AtomicInteger();
  }

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]).toAbsolutePath();
    Path work = Files.createDirectories(Path.of(args[1]).toAbsolutePath());
    int pods = Integer.parseInt(args[2]);
    int namespaces = Integer.parseInt(args[3]);
    int images = Integer.parseInt(args[4]);
    String mode = args[5];
    int webhookSeconds = Integer.parseInt(args[6]);
    String operatorOpts = System.getenv().getOrDefault("SCALE_OPERATOR_JAVA_OPTS",
        "-XX:MaxRAM=512m -XX:+UseSerialGC -XX:MaxRAMPercentage=50.0 -XX:+ExitOnOutOfMemoryError");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    OUT.printf(Locale.ROOT, "scale: %d Pods in %d namespaces, %d images, rewrite %s, webhook load %s; %d CPUs;"
        + " load average %s%n", pods, namespaces, images, mode, webhookSeconds > 0 ? webhookSeconds + " s" : "off",
        Runtime.getRuntime().availableProcessors(), loadAverage());

    ControlPlane plane = ControlPlane.shared();
    RegistryExtension source = RegistryExtension.plain();
    RegistryExtension destination = RegistryExtension.plain();
    source.open();
    destination.open();
    List<Process> started = new java.util.concurrent.CopyOnWriteArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> started.forEach(Process::destroyForcibly), "scale-children"));
    Config config = plane.config();
    config.setMaxConcurrentRequests(CREATORS * 2);
    config.setMaxConcurrentRequestsPerHost(CREATORS * 2);
    try (KubernetesClient kube = new KubernetesClientBuilder().withConfig(config).build()) {
      List<String> refs = pushImages(work, source, images);

      for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
        kube.load(Files.newInputStream(plane.repositoryRoot().resolve("deploy/crds").resolve(crd))).serverSideApply();
      }
      List<String> names = new ArrayList<>();
      for (int n = 0; n < namespaces; n++) {
        names.add(String.format(Locale.ROOT, "scale-%03d", n));
      }
      names.add("holdfast-system");
      for (String name : names) {
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
            .serverSideApply();
      }
      awaitCondition("every namespace's default ServiceAccount", Duration.ofMinutes(2), () -> names.stream()
          .allMatch(n -> kube.serviceAccounts().inNamespace(n).withName("default").get() != null));

      // the watch that times the run: started, and listed, before the baseline is scraped and the operator starts
      Map<String, Seen> seen = new ConcurrentHashMap<>();
      AtomicLong t0 = new AtomicLong(Long.MAX_VALUE);
      java.util.concurrent.atomic.AtomicBoolean counting = new java.util.concurrent.atomic.AtomicBoolean(true);
      SharedIndexInformer<ImageCopy> watch = kube.resources(ImageCopy.class).inform(new ResourceEventHandler<>() {
        @Override
        public void onAdd(ImageCopy copy) {
          Seen s = seen.computeIfAbsent(copy.getMetadata().getName(), n -> new Seen());
          s.created = System.nanoTime() - t0.get();
          readyNow(copy, s);
        }

        @Override
        public void onUpdate(ImageCopy before, ImageCopy after) {
          Seen s = seen.computeIfAbsent(after.getMetadata().getName(), n -> new Seen());
          if (!counting.get()) {
            return; // after the last scrape: the API server's counts end there
          }
          s.modified.incrementAndGet();
          String change = changed(before, after);
          s.changes.add(change);
          if (change.contains("conditions") || change.contains("status.")) {
            s.statusChanges.incrementAndGet();
          }
          readyNow(after, s);
        }

        private void readyNow(ImageCopy copy, Seen s) {
          if (s.ready < 0 && CopyStatus.isReady(copy)) {
            s.ready = System.nanoTime() - t0.get();
          }
        }

        @Override
        public void onDelete(ImageCopy copy, boolean unknown) {}
      }, 0);
      String before = kube.raw("/metrics");
      int metricsPort = freePort();
      int webhookPort = freePort();
      List<String> command = new ArrayList<>(List.of(java.toString()));
      command.addAll(Arrays.asList(operatorOpts.trim().split("\\s+")));
      command.addAll(List.of("-jar", jar.toString(), "operator", "--registry", destination.hostPort(),
          "--repository", "scale", "--kubeconfig", plane.kubeconfig().toString(), "--namespace", "holdfast-system",
          "--no-leader-elect", "--metrics-address", "127.0.0.1:" + metricsPort, "--rewrite", mode));
      if (mode.equals("Webhook")) {
        command.addAll(List.of("--webhook-address", "127.0.0.1:" + webhookPort));
      }
      OUT.println("operator: " + String.join(" ", command));
      Process operator = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(work.resolve("operator.log").toFile()).start();
      started.add(operator);
      HttpClient http = HttpClient.newHttpClient();
      awaitCondition("the operator's /readyz", Duration.ofMinutes(2), () -> get(http, metricsPort, "/readyz") == 200);
      if (mode.equals("Webhook")) {
        awaitCondition("the webhook's registration", Duration.ofMinutes(1), () -> kube.admissionRegistration().v1()
            .mutatingWebhookConfigurations().withName("holdfast").get() != null);
      }
      MemorySampler memory = MemorySampler.start(java, operator.pid(), work.resolve("memory.csv"));
      started.add(memory.jstat());

      Thread.sleep(5000); // the informers' initial lists are done a little after /readyz
      String operatorUp = kube.raw("/metrics");
      String loadBefore = loadAverage();

      Process webhookLoad = null;
      List<String> webhookLines = new ArrayList<>();
      if (webhookSeconds > 0 && mode.equals("Webhook")) {
        var registered = kube.admissionRegistration().v1().mutatingWebhookConfigurations().withName("holdfast").get()
            .getWebhooks().getFirst().getClientConfig();
        Path ca = work.resolve("webhook-ca.pem");
        Files.write(ca, Base64.getDecoder().decode(registered.getCaBundle()));
        Path imageList = work.resolve("images.txt");
        Files.write(imageList, refs);
        webhookLoad = new ProcessBuilder(java.toString(), "-XX:+UseSerialGC", "-Xms128m", "-Xmx128m",
            "-cp", System.getProperty("java.class.path"), OperatorWebhookLoad.class.getName(), registered.getUrl(),
            ca.toString(), imageList.toString(), Integer.toString(namespaces), "1000", Integer.toString(webhookSeconds),
            "10", "8", "5").redirectErrorStream(true).start();
        started.add(webhookLoad);
        timestampLines(webhookLoad, webhookLines, t0, work.resolve("webhook-load.log"));
      } else if (webhookSeconds > 0) {
        OUT.println("webhook load: only with --rewrite Webhook; not run");
      }

      // the Pods, concurrently; Pod i names image i % IMAGES, and an image's Pods are in several namespaces
      long[] schedAtStart = schedstat(operator.pid());
      t0.set(System.nanoTime());
      ExecutorService creators = Executors.newFixedThreadPool(CREATORS);
      AtomicInteger createRetries = new AtomicInteger();
      List<Future<?>> creations = new ArrayList<>();
      for (int i = 0; i < pods; i++) {
        int index = i;
        creations.add(creators.submit(() -> createPod(kube, names.get((index / images + index) % namespaces),
            "app-" + index, refs.get(index % images), createRetries)));
      }
      for (Future<?> creation : creations) {
        creation.get();
      }
      creators.shutdown();
      long podsCreated = System.nanoTime() - t0.get();
      OUT.printf(Locale.ROOT, "Pods created: %d in %.1f s (%.0f/s, %d retried)%n", pods, podsCreated / 1e9,
          pods / (podsCreated / 1e9), createRetries.get());

      long deadline = t0.get() + TIMEOUT.toNanos();
      long lastReport = 0;
      while (seen.values().stream().filter(s -> s.ready >= 0).count() < images) {
        if (System.nanoTime() > deadline) {
          OUT.println("TIMEOUT: not every ImageCopy was Ready within " + TIMEOUT.toMinutes() + " min of the first Pod");
          break;
        }
        if (System.nanoTime() - lastReport > 10_000_000_000L) {
          lastReport = System.nanoTime();
          OUT.printf(Locale.ROOT, "  t=%.0f s: %d ImageCopies, %d Ready; operator RSS %d MiB; load %s%n",
              (lastReport - t0.get()) / 1e9, seen.size(), seen.values().stream().filter(s -> s.ready >= 0).count(),
              memory.rssKib() / 1024, loadAverage());
        }
        Thread.sleep(100);
      }
      long allReady = System.nanoTime() - t0.get();
      String loadAtReady = loadAverage();
      String ready = kube.raw("/metrics");
      long[] schedAtReady = schedstat(operator.pid());
      String operatorMetrics = body(http, metricsPort, "/metrics");
      Files.writeString(work.resolve("operator-metrics-all-ready.txt"), operatorMetrics);
      // the settle period: what the operator asks of the API server once everything is done
      Thread.sleep(SETTLE);
      String after = kube.raw("/metrics");
      counting.set(false);
      String loadAfter = loadAverage();
      if (webhookLoad != null && !webhookLoad.waitFor(webhookSeconds + 300L, TimeUnit.SECONDS)) {
        OUT.println("webhook load: not done 300 s after it was due to end");
      }
      String heapInfo = run(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(operator.pid()), "GC.heap_info");
      memory.stop();
      watch.close();

      OUT.println();
      OUT.printf(Locale.ROOT, "operator CPU from the first Pod to all Ready (%.1f s, /proc/PID/task/*/schedstat): %.1f s"
          + " on a CPU (%.2f cores), %.1f s runnable but waiting for one (%.2f threads on average)%n", allReady / 1e9,
          (schedAtReady[0] - schedAtStart[0]) / 1e9, (schedAtReady[0] - schedAtStart[0]) / (double) allReady,
          (schedAtReady[1] - schedAtStart[1]) / 1e9, (schedAtReady[1] - schedAtStart[1]) / (double) allReady);
      OUT.println("operator's own metrics when all were Ready (operator-metrics-all-ready.txt):");
      operatorMetrics.lines().filter(l -> l.matches("^holdfast_(copy_duration|webhook_duration)_seconds_(count|sum|max)"
          + "\\b.*") || l.startsWith("holdfast_webhook_reviews")).forEach(l -> OUT.println("    " + l));
      new ScaleReport(OUT, pods, namespaces, images, mode, seen, podsCreated, allReady, memory, heapInfo,
          List.of(requests(before, operatorUp), requests(operatorUp, ready), requests(ready, after)),
          PrometheusText.of(after, "apiserver_admission_webhook_admission_duration_seconds_bucket")
              .minus(PrometheusText.of(before, "apiserver_admission_webhook_admission_duration_seconds_bucket")),
          PrometheusText.of(after, "apiserver_admission_webhook_request_total")
              .minus(PrometheusText.of(before, "apiserver_admission_webhook_request_total")),
          webhookLines, SETTLE, List.of(loadBefore, loadAtReady, loadAfter)).print();
      Files.writeString(work.resolve("apiserver-metrics-0-before-operator.txt"), before);
      Files.writeString(work.resolve("apiserver-metrics-1-operator-started.txt"), operatorUp);
      Files.writeString(work.resolve("apiserver-metrics-2-all-ready.txt"), ready);
      Files.writeString(work.resolve("apiserver-metrics-3-after-settle.txt"), after);
    } finally {
      for (Process process : started.reversed()) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
      source.close();
      destination.close();
      plane.stop();
    }
    System.exit(0);
  }

  private static PrometheusText requests(String from, String to) {
    return PrometheusText.of(to, "apiserver_request_total").minus(PrometheusText.of(from, "apiserver_request_total"));
  }

  /** Which parts of an ImageCopy a change touched: spec, metadata, and the status's fields by name. */
  static String changed(ImageCopy before, ImageCopy after) {
    java.util.Set<String> parts = new java.util.TreeSet<>();
    var json = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
    if (!json.valueToTree(before.getSpec()).equals(json.valueToTree(after.getSpec()))) {
      parts.add("spec");
    }
    Map<String, Object> was = statusFields(before);
    Map<String, Object> now = statusFields(after);
    java.util.Set<String> keys = new java.util.TreeSet<>(was.keySet());
    keys.addAll(now.keySet());
    for (String key : keys) {
      if (!java.util.Objects.equals(was.get(key), now.get(key))) {
        parts.add(key.equals("conditions") ? "conditions" : "status." + key);
      }
    }
    return parts.isEmpty() ? "metadata only" : String.join("+", parts);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> statusFields(ImageCopy copy) {
    if (copy.getStatus() == null) {
      return Map.of();
    }
    Map<String, Object> fields = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()
        .convertValue(copy.getStatus(), Map.class);
    return fields;
  }

  /** Writes IMAGES distinct one-layer images and pushes them with the library's copy engine. */
  private static List<String> pushImages(Path work, RegistryExtension source, int images) {
    Path layout = work.resolve("layout");
    long start = System.nanoTime();
    List<CopyRequest> requests = new ArrayList<>();
    List<String> refs = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      SyntheticImage.builder().seed(100_000L + i).layers(1).layerSize(1024).platforms("linux/amd64").build()
          .writeTo(layout, "app-" + i);
      String ref = source.hostPort() + "/scale/app-" + i + ":1";
      refs.add(ref);
      requests.add(CopyRequest.of(ImageLocation.Layout.of(layout, "app-" + i),
          new ImageLocation.Registry(ImageReference.parse(ref)), CopyOptions.defaults()));
    }
    long written = System.nanoTime();
    try (RegistryClient client = RegistryClient.builder().build();
        CopyEngine engine = CopyEngine.builder(client).build()) {
      List<CopyResult> results = engine.copyAll(requests);
      results.stream().filter(CopyResult.Failed.class::isInstance).findFirst().ifPresent(failed -> {
        throw new IllegalStateException("push to the source registry failed: " + failed);
      });
    }
    OUT.printf(Locale.ROOT, "images: %d written (1 layer of 1 KiB each) in %.1f s, pushed in %.1f s%n", images,
        (written - start) / 1e9, (System.nanoTime() - written) / 1e9);
    return refs;
  }

  private static void createPod(KubernetesClient kube, String namespace, String name, String image,
      AtomicInteger retries) {
    Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer().endSpec().build();
    for (int attempt = 1; ; attempt++) {
      try {
        kube.pods().inNamespace(namespace).resource(pod).create();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          return;
        }
        if (attempt == 5) {
          throw e;
        }
        retries.incrementAndGet();
      }
    }
  }

  private static void timestampLines(Process process, List<String> lines, AtomicLong t0, Path log) {
    Thread.ofPlatform().daemon().name("webhook-load-output").start(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          long at = System.nanoTime() - t0.get();
          String stamped = at < 0 ? line : String.format(Locale.ROOT, "[t=%.1f s] %s", at / 1e9, line);
          synchronized (lines) {
            lines.add(stamped);
          }
          Files.writeString(log, stamped + "\n", StandardCharsets.UTF_8,
              java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
      } catch (IOException e) {
        // the process ended
      }
    });
  }

  private static boolean onClassPath(String name) {
    try {
      Class.forName(name, false, Scale.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Time on a CPU and time runnable but waiting, in nanoseconds, summed over the process's live threads. */
  static long[] schedstat(long pid) {
    long[] sums = new long[2];
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          String[] fields = Files.readString(task.resolve("schedstat")).trim().split(" ");
          sums[0] += Long.parseLong(fields[0]);
          sums[1] += Long.parseLong(fields[1]);
        } catch (IOException e) {
          // the thread ended
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    return sums;
  }

  private static String body(HttpClient http, int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static int get(HttpClient http, int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void awaitCondition(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    org.awaitility.Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(200))
        .until(condition::getAsBoolean);
  }

  static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    return output;
  }
}
