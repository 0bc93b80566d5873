package dev.holdfast.operator.webhook.bench;

import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.SecretReference;
import dev.holdfast.operator.copy.CopyNames;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.PolicySelection;
import dev.holdfast.operator.webhook.AdmissionHandler;
import dev.holdfast.operator.webhook.PodMutation;
import dev.holdfast.operator.webhook.WebhookCertificates;
import dev.holdfast.operator.webhook.WebhookMetrics;
import dev.holdfast.operator.webhook.WebhookServer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Benchmark, not a test (bench/webhook-load.sh runs it; issue 20's acceptance): the admission
 * webhook's latency at a fixed rate of AdmissionReviews over keep-alive HTTPS, each Pod with five
 * containers whose images all have verified copies, so every answer is a JSON patch.
 *
 * <p>The server is the operator's {@link WebhookServer} with its {@link AdmissionHandler}, its
 * Prometheus metrics, and a certificate from {@link WebhookCertificates}; it decides from an
 * in-memory state shaped like the operator's (a {@code Webhook}-mode policy with credentials, verified
 * ImageCopies looked up by their object name and parsed as {@code ImageCopies} does, the pull secret
 * present). Every image's registry, source and destination alike, is a listener on loopback that
 * counts the connections it accepts: a registry call on the request path would show there.
 *
 * <p>The load is open-loop: request {@code i} is due at {@code start + i / rate}, whatever happened
 * to the ones before, and its latency runs from that due time to the last byte of the answer, so a
 * stall is counted in full (no coordinated omission). Clients: {@code socket} (default), N kept-alive
 * TLS connections, each a thread taking the next due request, as the API server's Go client pools
 * them; or {@code http}, the JDK's {@link HttpClient} on HTTP/1.1 with as many connections as it opens.
 *
 * <p>Options: {@code --rate 1000 --seconds 60 --warmup 15 --connections 8 --containers 5 --images 200
 * --client socket|http --out FILE} (the raw latencies, one per line, in microseconds).
 */
public final class WebhookLoad {
  private static final String SHA = "sha256:";

  private WebhookLoad() {}

  record Options(int rate, int seconds, int warmup, int connections, int containers, int images, String client,
      Optional<Path> out) {
    static Options parse(String[] args) {
      Map<String, String> given = new HashMap<>();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (!arg.startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument " + arg);
        }
        int equals = arg.indexOf('=');
        if (equals > 0) {
          given.put(arg.substring(2, equals), arg.substring(equals + 1));
        } else {
          given.put(arg.substring(2), args[++i]);
        }
      }
      Options options = new Options(Integer.parseInt(given.getOrDefault("rate", "1000")),
          Integer.parseInt(given.getOrDefault("seconds", "60")), Integer.parseInt(given.getOrDefault("warmup", "15")),
          Integer.parseInt(given.getOrDefault("connections", "8")),
          Integer.parseInt(given.getOrDefault("containers", "5")), Integer.parseInt(given.getOrDefault("images", "200")),
          given.getOrDefault("client", "socket"), Optional.ofNullable(given.get("out")).map(Path::of));
      given.keySet().removeAll(Set.of("rate", "seconds", "warmup", "connections", "containers", "images", "client",
          "out"));
      if (!given.isEmpty()) {
        throw new IllegalArgumentException("unknown options " + given.keySet());
      }
      return options;
    }
  }

  /** A "registry" that only counts the connections made to it. */
  static final class CountingRegistry implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger connections = new AtomicInteger();

    CountingRegistry() throws IOException {
      socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
      Thread.ofPlatform().daemon().name("counting-registry").start(() -> {
        while (!socket.isClosed()) {
          try (Socket accepted = socket.accept()) {
            connections.incrementAndGet();
          } catch (IOException e) {
            return;
          }
        }
      });
    }

    String host() {
      return "127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /**
   * The operator's in-memory state, as {@code MemoryState} reads it: the policies, namespaces by
   * name, ImageCopies by object name with their {@code status.copy}, the pull secrets that exist.
   */
  static final class BenchState implements PodMutation.State {
    final List<Policy> policies;
    final Map<String, String> copies = new ConcurrentHashMap<>();
    final Map<String, PolicySelection.Namespace> namespaces = new ConcurrentHashMap<>();
    final Set<String> secrets = ConcurrentHashMap.newKeySet();
    final LongAdder copyLookups = new LongAdder();
    final LongAdder mirrorLookups = new LongAdder();

    BenchState(Policy policy) {
      this.policies = List.of(policy);
    }

    @Override
    public List<Policy> policies() {
      return policies;
    }

    @Override
    public PolicySelection.Namespace namespace(String name) {
      PolicySelection.Namespace known = namespaces.get(name);
      return known == null ? new PolicySelection.Namespace(name, Map.of()) : known;
    }

    @Override
    public String operatorNamespace() {
      return "holdfast-system";
    }

    // Without @Override: PodMutation.State asks with the Pod's namespace (private images) or, before
    // that, without it; both forms are here so that the benchmark builds against either.
    public Optional<ImageReference> verifiedCopy(Policy policy, ImageReference source) {
      return verifiedCopy(policy, source, "");
    }

    public Optional<ImageReference> verifiedCopy(Policy policy, ImageReference source, String namespace) {
      copyLookups.increment();
      String status = copies.get(CopyNames.nameFor(policy.name(), source));
      if (status == null) {
        return Optional.empty();
      }
      ImageReference copy = ImageReference.parse(status);
      return copy.name().equals(policy.destinationFor(source).name()) ? Optional.of(copy) : Optional.empty();
    }

    @Override
    public Optional<ImageReference> confirmedMirror(Policy policy, ImageReference source) {
      mirrorLookups.increment();
      return Optional.empty();
    }

    @Override
    public Optional<String> pullSecretFor(Policy policy, String registry) {
      return registry.equalsIgnoreCase(policy.spec().destination().registry())
          ? Optional.of("holdfast-pull-" + policy.name()) : Optional.empty();
    }

    @Override
    public boolean secretExists(String namespace, String name) {
      return secrets.contains(namespace + "/" + name);
    }
  }

  /** A review body around its uid: {@code prefix + uid + suffix}. */
  record Template(byte[] prefix, byte[] suffix) {
    byte[] body(String uid) {
      byte[] id = uid.getBytes(StandardCharsets.US_ASCII);
      byte[] body = new byte[prefix.length + id.length + suffix.length];
      System.arraycopy(prefix, 0, body, 0, prefix.length);
      System.arraycopy(id, 0, body, prefix.length, id.length);
      System.arraycopy(suffix, 0, body, prefix.length + id.length, suffix.length);
      return body;
    }
  }

  /** Reviews of Pods of ReplicaSets as kube-controller-manager creates them, {@code containers} images each. */
  static List<Template> templates(List<String> images, int containers, int count, long seed) {
    Random random = new Random(seed);
    List<Template> templates = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      StringBuilder list = new StringBuilder();
      for (int c = 0; c < containers; c++) {
        if (c > 0) {
          list.append(',');
        }
        list.append("""
            {"name":"c%d","image":"%s","ports":[{"containerPort":%d,"protocol":"TCP"}],\
            "env":[{"name":"MODE","value":"production"},{"name":"POD","valueFrom":{"fieldRef":\
            {"apiVersion":"v1","fieldPath":"metadata.name"}}}],"resources":{"limits":{"cpu":"500m",\
            "memory":"256Mi"},"requests":{"cpu":"100m","memory":"64Mi"}},"terminationMessagePath":\
            "/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}"""
            .formatted(c, images.get(random.nextInt(images.size())), 8080 + c));
      }
      String pod = """
          {"kind":"Pod","apiVersion":"v1","metadata":{"generateName":"app-%1$d-5d8f7c6b9-","namespace":"team-%2$d",\
          "creationTimestamp":null,"labels":{"app":"app-%1$d","pod-template-hash":"5d8f7c6b9"},\
          "annotations":{"kubectl.kubernetes.io/restartedAt":"2026-03-01T12:00:00Z"},\
          "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"app-%1$d-5d8f7c6b9",\
          "uid":"0b5c2d9e-%1$04d","controller":true,"blockOwnerDeletion":true}]},\
          "spec":{"volumes":[{"name":"kube-api-access","projected":{"sources":[{"serviceAccountToken":\
          {"expirationSeconds":3607,"path":"token"}}],"defaultMode":420}}],"containers":[%3$s],\
          "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",\
          "serviceAccountName":"default","serviceAccount":"default","securityContext":{},\
          "schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready",\
          "operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":\
          "node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],\
          "priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},"status":{}}"""
          .formatted(t, t % 10, list);
      String review = """
          {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"UID",\
          "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},\
          "requestKind":{"group":"","version":"v1","kind":"Pod"},\
          "requestResource":{"group":"","version":"v1","resource":"pods"},"namespace":"team-%d",\
          "operation":"CREATE","userInfo":{"username":"system:serviceaccount:kube-system:replicaset-controller",\
          "uid":"8d2c","groups":["system:serviceaccounts","system:serviceaccounts:kube-system",\
          "system:authenticated"]},"object":%s,"oldObject":null,"dryRun":false,\
          "options":{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1"}}}""".formatted(t % 10, pod);
      int at = review.indexOf("UID");
      templates.add(new Template(review.substring(0, at).getBytes(StandardCharsets.UTF_8),
          review.substring(at + 3).getBytes(StandardCharsets.UTF_8)));
    }
    return templates;
  }

  /** What one run measured: latencies in nanoseconds by request index, -1 for an error. */
  record Run(long[] latencies, LongAdder errors, Map<String, Integer> errorKinds, AtomicInteger connections,
      LongAdder clientCpu) {
    static Run of(int count) {
      long[] latencies = new long[count];
      Arrays.fill(latencies, -1);
      return new Run(latencies, new LongAdder(), new ConcurrentHashMap<>(), new AtomicInteger(), new LongAdder());
    }

    void error(int index, String kind) {
      latencies[index] = -1;
      errors.increment();
      errorKinds.merge(kind, 1, Integer::sum);
    }
  }

  /** Whether an answer allows request {@code uid} with a patch. */
  static String problem(int status, byte[] answer, String uid) {
    if (status != 200) {
      return "status " + status;
    }
    String text = new String(answer, StandardCharsets.UTF_8);
    if (!text.contains("\"uid\":\"" + uid + "\"")) {
      return "wrong uid";
    }
    if (!text.contains("\"allowed\":true") || !text.contains("\"patchType\":\"JSONPatch\"")) {
      return "no patch";
    }
    return null;
  }

  // --- the socket client ---

  /** One kept-alive TLS connection speaking HTTP/1.1. */
  static final class Connection implements AutoCloseable {
    private final SSLContext tls;
    private final int port;
    private SSLSocket socket;
    private OutputStream out;
    private InputStream in;
    int opened;

    Connection(SSLContext tls, int port) {
      this.tls = tls;
      this.port = port;
    }

    private void open() throws IOException {
      socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      opened++;
    }

    /** Posts a review; returns the status and fills {@code answer}. */
    int post(byte[] body, ByteArrayOutputStream answer) throws IOException {
      if (socket == null) {
        open();
      }
      out.write(("POST " + WebhookServer.PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nContent-Type: application/json\r\nAccept: application/json, */*\r\nContent-Length: " + body.length
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      String status = line();
      if (status == null) {
        throw new IOException("connection closed");
      }
      int code = Integer.parseInt(status.split(" ")[1]);
      long length = -1;
      boolean close = false;
      for (String header = line(); header != null && !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          close = true;
        }
      }
      answer.reset();
      if (length > 0) {
        answer.write(in.readNBytes((int) length));
      }
      if (close) {
        close();
      }
      return code;
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c >= 0; c = in.read()) {
        if (c == '\n') {
          int end = line.length();
          return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
        }
        line.append((char) c);
      }
      return line.isEmpty() ? null : line.toString();
    }

    @Override
    public void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // closing anyway
        }
        socket = null;
      }
    }
  }

  static Run socketLoad(SSLContext tls, int port, List<Template> templates, Options options, int count,
      String phase) throws InterruptedException {
    Run run = Run.of(count);
    long period = 1_000_000_000L / options.rate();
    AtomicLong next = new AtomicLong();
    CountDownLatch done = new CountDownLatch(options.connections());
    long start = System.nanoTime() + 50_000_000L;
    for (int w = 0; w < options.connections(); w++) {
      Thread.ofPlatform().name("load-" + w).start(() -> {
        ByteArrayOutputStream answer = new ByteArrayOutputStream(8192);
        try (Connection connection = new Connection(tls, port)) {
          for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            long due = start + i * period;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
              LockSupport.parkNanos(wait);
            }
            String uid = phase + "-" + i;
            try {
              int status = connection.post(templates.get((int) (i % templates.size())).body(uid), answer);
              long latency = System.nanoTime() - due;
              String problem = problem(status, answer.toByteArray(), uid);
              if (problem != null) {
                run.error((int) i, problem);
              } else if (latency > 2_000_000_000L) {
                run.error((int) i, "over the API server's 2 s timeout");
              } else {
                run.latencies()[(int) i] = latency;
              }
            } catch (IOException | RuntimeException e) {
              run.error((int) i, e.getClass().getSimpleName());
              connection.close();
            }
          }
          run.connections().addAndGet(connection.opened);
        } finally {
          run.clientCpu().add(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
          done.countDown();
        }
      });
    }
    done.await();
    return run;
  }

  // --- the JDK HttpClient client ---

  static Run httpClientLoad(SSLContext tls, int port, List<Template> templates, Options options, int count,
      String phase) throws InterruptedException {
    Run run = Run.of(count);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
        .connectTimeout(Duration.ofSeconds(10)).build();
    URI uri = URI.create("https://127.0.0.1:" + port + WebhookServer.PATH);
    long period = 1_000_000_000L / options.rate();
    CountDownLatch done = new CountDownLatch(count);
    long start = System.nanoTime() + 50_000_000L;
    for (int i = 0; i < count; i++) {
      long due = start + i * period;
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      int index = i;
      String uid = phase + "-" + i;
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(templates.get(i % templates.size()).body(uid))).build();
      client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
        long latency = System.nanoTime() - due;
        if (error != null) {
          Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
              ? error.getCause() : error;
          run.error(index, cause.getClass().getSimpleName());
        } else {
          String problem = problem(response.statusCode(), response.body(), uid);
          if (problem != null) {
            run.error(index, problem);
          } else if (latency > 2_000_000_000L) {
            run.error(index, "over the API server's 2 s timeout");
          } else {
            run.latencies()[index] = latency;
          }
        }
        done.countDown();
      });
    }
    done.await(60, TimeUnit.SECONDS);
    client.shutdownNow();
    return run;
  }

  // --- the run ---

  private static SSLContext trusting(String caPem) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", WebhookCertificates.certificate(caPem));
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static long gcCount() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount)
        .sum();
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime)
        .sum();
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** CPU time of the JVM's threads by role, in nanoseconds: what the client, the server and the rest use. */
  private static Map<String, Long> cpuByRole() {
    var threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> roles = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu < 0) {
        continue;
      }
      String name = info.getThreadName();
      if (name.startsWith("load-")) {
        continue; // each adds its own CPU time to the run when it ends
      }
      String role = name.startsWith("HttpClient") ? "client"
          : name.startsWith("ForkJoinPool") ? "server exchanges (virtual-thread carriers)"
          : name.startsWith("HTTP-Dispatcher") ? "server dispatcher"
          : name.equals("main") ? "main" : "other JVM threads";
      roles.merge(role, cpu, Long::sum);
    }
    return roles;
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    try (CountingRegistry sourceRegistry = new CountingRegistry();
        CountingRegistry destinationRegistry = new CountingRegistry()) {
      Policy policy = Policy.of("bench", new ImagePolicySpec(new ImagePolicySpec.Destination(
          destinationRegistry.host(), "keep", null, new SecretReference("holdfast-system", "push"), null, null, null),
          null, null, null, null, null, ImagePolicySpec.RewriteMode.Webhook, ImagePolicySpec.ReferenceForm.TagAndDigest,
          null), 1);
      BenchState state = new BenchState(policy);
      List<String> images = new ArrayList<>();
      for (int i = 0; i < options.images(); i++) {
        String source = sourceRegistry.host() + "/team-" + i % 10 + "/app-" + i + ":1." + i % 7;
        images.add(source);
        ImageReference reference = ImageReference.parse(source);
        ImageReference destination = policy.destinationFor(reference);
        state.copies.put(CopyNames.nameFor(policy.name(), reference), ImageReference.of(destination.registry(),
            destination.repository(), reference.tag().orElse(null),
            Digest.sha256(source.getBytes(StandardCharsets.UTF_8))).toString());
      }
      for (int n = 0; n < 10; n++) {
        state.namespaces.put("team-" + n, new PolicySelection.Namespace("team-" + n, Map.of("team", "t" + n)));
        state.secrets.add("team-" + n + "/holdfast-pull-bench");
      }

      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      WebhookMetrics metrics = new WebhookMetrics(meters);
      AdmissionHandler handler = new AdmissionHandler(state, metrics);
      WebhookCertificates.KeyMaterial keys = WebhookCertificates.issue(List.of("127.0.0.1"), Instant.now());
      try (WebhookServer server = new WebhookServer(new InetSocketAddress("127.0.0.1", 0), handler, metrics)) {
        server.useCertificate(keys.certificate(), keys.key());
        server.start();
        int port = server.address().getPort();
        SSLContext tls = trusting(keys.caCertificate());
        List<Template> templates = templates(images, options.containers(), 512, 20L);

        System.out.printf(Locale.ROOT, "webhook-load: %d/s for %d s (after %d s of warm-up), %d containers per Pod,"
            + " %d images with verified copies, client %s%s, %d CPUs, JVM %s %s%n", options.rate(),
            options.seconds(), options.warmup(), options.containers(), options.images(), options.client(),
            options.client().equals("socket") ? " with " + options.connections() + " connections" : "",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
            ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.println("load average before: " + loadAverage());
        if (options.warmup() > 0) {
          run(options, tls, port, templates, options.rate() * options.warmup(), "warmup");
        }
        Timer latency = meters.get("holdfast.webhook.duration").timer();
        long serverCount = latency.count();
        double serverNanos = latency.totalTime(TimeUnit.NANOSECONDS);
        long lookups = state.copyLookups.sum();
        long gcs = gcCount();
        long gcTime = gcMillis();
        long cpu = cpuNanos();
        Map<String, Long> rolesBefore = cpuByRole();
        long wall = System.nanoTime();
        int count = options.rate() * options.seconds();
        Run run = run(options, tls, port, templates, count, "bench");
        wall = System.nanoTime() - wall;
        cpu = cpuNanos() - cpu;
        Map<String, Long> roles = cpuByRole();
        String loadAfter = loadAverage();

        long[] ok = Arrays.stream(run.latencies()).filter(l -> l >= 0).sorted().toArray();
        System.out.printf(Locale.ROOT, "reviews: %d sent, %d answered with a patch, %d errors %s%s%n", count,
            ok.length, run.errors().sum(), run.errorKinds(), options.client().equals("socket")
                ? "; TLS connections opened: " + run.connections().get() : "");
        System.out.printf(Locale.ROOT, "achieved rate: %.1f/s over %.1f s%n", count / (wall / 1e9), wall / 1e9);
        if (ok.length > 0) {
          System.out.printf(Locale.ROOT, "latency from due time to answer: p50 %s, p90 %s, p99 %s, p99.9 %s, max %s%n",
              ms(percentile(ok, 0.50)), ms(percentile(ok, 0.90)), ms(percentile(ok, 0.99)), ms(percentile(ok, 0.999)),
              ms(ok[ok.length - 1]));
        }
        long served = latency.count() - serverCount;
        System.out.printf(Locale.ROOT, "server side (exchange handler, holdfast.webhook.duration): mean %s over %d%n",
            ms((long) ((latency.totalTime(TimeUnit.NANOSECONDS) - serverNanos) / Math.max(1, served))), served);
        System.out.printf(Locale.ROOT, "process CPU: %.0f%% of one core (%.2f ms per review); GC: %d collections,"
            + " %d ms%n", 100.0 * cpu / wall, cpu / 1e6 / count, gcCount() - gcs, gcMillis() - gcTime);
        StringBuilder split = new StringBuilder();
        long accounted = 0;
        if (options.client().equals("socket")) {
          accounted += run.clientCpu().sum();
          split.append(String.format(Locale.ROOT, "client %.3f ms, ", run.clientCpu().sum() / 1e6 / count));
        }
        for (var role : roles.entrySet()) {
          long used = role.getValue() - rolesBefore.getOrDefault(role.getKey(), 0L);
          accounted += used;
          split.append(String.format(Locale.ROOT, "%s %.3f ms, ", role.getKey(), used / 1e6 / count));
        }
        System.out.printf(Locale.ROOT, "CPU per review by role: %sGC, JIT and native threads %.3f ms%n", split,
            (cpu - accounted) / 1e6 / count);
        System.out.println("load average after: " + loadAfter);
        System.out.printf(Locale.ROOT, "registry calls: %d (connections to the source registry %s: %d, to the"
            + " destination %s: %d; mirror lookups %d); verified-copy lookups from memory: %d%n",
            sourceRegistry.connections.get() + destinationRegistry.connections.get(), sourceRegistry.host(),
            sourceRegistry.connections.get(), destinationRegistry.host(), destinationRegistry.connections.get(),
            state.mirrorLookups.sum(), state.copyLookups.sum() - lookups);
        handlerAlone(handler, templates);
        if (options.out().isPresent()) {
          StringBuilder lines = new StringBuilder();
          for (long l : run.latencies()) {
            lines.append(l < 0 ? -1 : l / 1000).append('\n');
          }
          Files.writeString(options.out().get(), lines);
        }
        boolean met = ok.length > 0 && percentile(ok, 0.99) <= 2_000_000L && run.errors().sum() == 0;
        System.out.println("goal p99 <= 2 ms with 0 errors: " + (met ? "met" : "NOT met"));
        if (sourceRegistry.connections.get() + destinationRegistry.connections.get() > 0) {
          System.exit(2);
        }
      }
    }
    System.exit(0);
  }

  private static Run run(Options options, SSLContext tls, int port, List<Template> templates, int count, String phase)
      throws InterruptedException {
    return options.client().equals("http") ? httpClientLoad(tls, port, templates, options, count, phase)
        : socketLoad(tls, port, templates, options, count, phase);
  }

  /** The handler alone, on one thread, without TLS or HTTP: what deciding costs. */
  private static void handlerAlone(AdmissionHandler handler, List<Template> templates) {
    int count = 20_000;
    long[] took = new long[count];
    for (int i = 0; i < count; i++) {
      byte[] body = templates.get(i % templates.size()).body("alone-" + i);
      long start = System.nanoTime();
      handler.handle(body);
      took[i] = System.nanoTime() - start;
    }
    Arrays.sort(took);
    System.out.printf(Locale.ROOT, "AdmissionHandler alone (no TLS, no HTTP, one thread): mean %s, p50 %s, p99 %s,"
        + " max %s%n", ms(Arrays.stream(took).sum() / count), ms(percentile(took, 0.5)), ms(percentile(took, 0.99)),
        ms(took[count - 1]));
  }

  private static long percentile(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }
}
