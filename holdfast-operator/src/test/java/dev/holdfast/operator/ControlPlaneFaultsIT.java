package dev.holdfast.operator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryRequest;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.policy.RegistryCredentials;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import dev.holdfast.operator.testing.TcpRelay;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Fault tests of the control plane under a running operator (issue 25), on a control plane of the
 * class's own: the API server restarted in the middle of a sync, and watches that expire (410 Gone)
 * after etcd compacted the history the operator had not read. Each states what was lost (nothing)
 * and what was done twice (nothing).
 */
class ControlPlaneFaultsIT {
  private static final int IMAGES = 200;
  /** The watch expiry test's images: others than the sync's, each copy's usedBy counts the workloads naming it. */
  private static final int EXPIRY_IMAGES = 11;
  private static final int CONTAINERS_PER_DEPLOYMENT = 10;

  @RegisterExtension static final ControlPlaneExtension kube = ControlPlaneExtension.ownControlPlane();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.plain();
  @TempDir static Path work;

  static Skopeo skopeo;
  static final Map<String, WrittenImage> images = new java.util.LinkedHashMap<>();
  HoldfastOperator operator;

  @BeforeAll
  static void seed() throws IOException {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    // 211 distinct small images, pushed by one `skopeo sync` from skopeo's dir: format
    Path tree = work.resolve("sync");
    Files.createDirectories(tree);
    for (int i = 1; i <= IMAGES + EXPIRY_IMAGES; i++) {
      WrittenImage image = SyntheticImage.builder().seed(5000 + i).layers(1).layerSize(2_000)
          .platforms("linux/amd64").format(SyntheticImage.Format.DOCKER).build()
          .writeTo(work.resolve("layouts").resolve("app-" + i), "1");
      Files.move(image.dirCopy().orElseThrow(), tree.resolve("app-" + i + ":1"));
      images.put("faults/app-" + i, image);
    }
    Skopeo.Result sync = skopeo.run(List.of("sync", "--src", "dir", "--dest", "docker", "--dest-tls-verify=false",
        "--preserve-digests", tree.toString(), source.hostPort() + "/faults"));
    assertThat(sync.succeeded()).as(sync.stderr()).isTrue();
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
  }

  @AfterEach
  void stopOperator() {
    if (operator != null) {
      operator.close();
    }
    kube.client().resources(ImageCopy.class).delete(); // cluster-scoped: the next test starts clean
  }

  /**
   * The operator, under a policy of the test's own: the namespaces labelled {@code faults=TEST},
   * copies under {@code DESTINATION/TEST/}.
   */
  private HoldfastOperator startOperator(KubernetesClient client, String test) {
    ImagePolicySpec spec = new ImagePolicySpec(ImagePolicySpec.Destination.of(destination.hostPort(), test),
        new LabelSelectorBuilder().addToMatchLabels("faults", test).build(), null, null, null, null, null, null,
        null);
    OperatorSettings settings = OperatorSettings.defaults(kube.newNamespace("holdfast-system"))
        .withImplicitPolicy(new OperatorSettings.ImplicitPolicy(spec,
            new RegistryCredentials(Optional.empty(), Optional.empty())))
        .withRetry(Duration.ofSeconds(1), Duration.ofSeconds(4));
    operator = new HoldfastOperator(client, settings);
    operator.start();
    return operator;
  }

  private static String src(String repository) {
    return source.hostPort() + "/" + repository + ":1";
  }

  private static String deployment(String name, List<String> repositories) {
    StringBuilder containers = new StringBuilder();
    for (int i = 0; i < repositories.size(); i++) {
      containers.append("\n        - {name: c").append(i).append(", image: \"").append(src(repositories.get(i)))
          .append("\"}");
    }
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %1$s}
        spec:
          replicas: 0
          selector: {matchLabels: {app: %1$s}}
          template:
            metadata: {labels: {app: %1$s}}
            spec:
              containers:%2$s
        """.formatted(name, containers);
  }

  private static Map<String, ImageCopy> copiesBySource() {
    return kube.client().resources(ImageCopy.class).list().getItems().stream()
        .collect(Collectors.toMap(c -> c.getSpec().getSource(), Function.identity()));
  }

  private static Map<String, ImageCopy> readyCopies() {
    return copiesBySource().entrySet().stream().filter(e -> CopyStatus.isReady(e.getValue()))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  private static List<String> imagesOf(String namespace, String name) {
    return kube.client().apps().deployments().inNamespace(namespace).withName(name).get().getSpec().getTemplate()
        .getSpec().getContainers().stream().map(Container::getImage).toList();
  }

  /** Whether every image of the Deployment is the verified copy of what it named. */
  private static boolean pointsAtCopies(String namespace, String name, List<String> repositories,
      Map<String, ImageCopy> ready) {
    List<String> current = imagesOf(namespace, name);
    return IntStream.range(0, repositories.size()).allMatch(i -> {
      ImageCopy copy = ready.get(src(repositories.get(i)));
      return copy != null && current.get(i).equals(copy.getStatus().getCopy());
    });
  }

  /**
   * API server restart during a sync of 200 images (20 Deployments of 10 containers). Lost: nothing,
   * every image gets a verified copy, every status is written, every Deployment is pointed at its
   * copies. Done twice: nothing, no manifest or blob is pushed twice to the destination, a copy
   * verified before the restart is not copied again (one copy job, its verifiedAt unchanged), and no
   * Deployment is patched twice (its generation is 2: created, then patched once).
   */
  @Test
  void apiServerRestartDuringASyncOf200ImagesLosesNothingAndCopiesNothingTwice() {
    String namespace = kube.newNamespace("restart", Map.of("faults", "restart"));
    startOperator(kube.plane().newClient(), "restart");
    List<String> repositories = new ArrayList<>(images.keySet()).subList(0, IMAGES);
    Map<String, List<String>> deployments = new TreeMap<>();
    for (int d = 0; d < IMAGES / CONTAINERS_PER_DEPLOYMENT; d++) {
      deployments.put("sync-" + d, repositories.subList(d * CONTAINERS_PER_DEPLOYMENT,
          (d + 1) * CONTAINERS_PER_DEPLOYMENT));
    }
    deployments.forEach((name, repos) -> kube.client().apps().deployments().inNamespace(namespace)
        .resource(kube.client().getKubernetesSerialization().unmarshal(deployment(name, repos), Deployment.class))
        .create());

    Awaitility.await("some copies verified").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
        .until(() -> readyCopies().size() >= 20);
    Map<String, ImageCopy> before = readyCopies();
    Instant restartedAt = Instant.now();
    Duration away = kube.plane().restartApiServer();
    Map<String, ImageCopy> afterRestart = readyCopies();
    System.out.printf("API server restarted (away %d ms) with %d of %d copies verified before, %d right after%n",
        away.toMillis(), before.size(), IMAGES, afterRestart.size());
    assertThat(before.size()).as("the restart came in the middle of the sync").isLessThan(IMAGES);

    Awaitility.await("every copy verified and every Deployment pointed at its copies").atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(250)).until(() -> {
          Map<String, ImageCopy> ready = readyCopies();
          return ready.size() == IMAGES && deployments.entrySet().stream()
              .allMatch(e -> pointsAtCopies(namespace, e.getKey(), e.getValue(), ready));
        });
    System.out.printf("all %d copies verified and 20 Deployments patched %d ms after the restart began%n",
        IMAGES, Duration.between(restartedAt, Instant.now()).toMillis());

    // Lost: nothing. Every source has a verified copy of its own digest, with its status complete.
    Map<String, ImageCopy> after = readyCopies();
    repositories.forEach(repository -> {
      WrittenImage image = images.get(repository);
      ImageCopy copy = after.get(src(repository));
      assertThat(copy.getStatus().getDigest()).as(repository).isEqualTo(image.digest());
      assertThat(copy.getStatus().getCopy()).as(repository).endsWith("@" + image.digest());
      assertThat(copy.getStatus().getVerifiedAt()).as(repository).isNotBlank();
    });
    kube.await("usedBy counted for every copy", () -> readyCopies().values().stream()
        .allMatch(c -> Integer.valueOf(1).equals(c.getStatus().getUsedBy())));

    // Done twice: nothing. The destination's own access log.
    List<RegistryRequest> requests = destination.requests().stream()
        .filter(r -> r.repository().filter(repository -> repository.startsWith("restart/")).isPresent()).toList();
    Map<String, Long> manifestPuts = requests.stream().filter(RegistryRequest::isManifestPut)
        .filter(r -> r.status() == 201).collect(Collectors.groupingBy(RegistryRequest::path, Collectors.counting()));
    assertThat(manifestPuts).hasSize(IMAGES).allSatisfy((path, puts) -> assertThat(puts).as(path).isEqualTo(1));
    // an upload ends with the blob's digest (a PUT, or a POST of the whole blob)
    Map<String, Long> blobCommits = requests.stream()
        .filter(r -> r.path().contains("/blobs/uploads/") && r.path().contains("digest=") && r.status() == 201)
        .collect(Collectors.groupingBy(r -> r.repository().orElseThrow() + " " + r.path().replaceAll(".*digest=", ""),
            Collectors.counting()));
    assertThat(blobCommits).hasSize(2 * IMAGES).allSatisfy((blob, puts) -> assertThat(puts).as(blob).isEqualTo(1));
    // One copy job per copy verified before the restart: each job asks the destination for the tag once.
    Map<String, Long> jobs = requests.stream()
        .filter(r -> r.path().endsWith("/manifests/1") && (r.method().equals("HEAD") || r.method().equals("GET")))
        .collect(Collectors.groupingBy(r -> r.repository().orElseThrow(), Collectors.counting()));
    before.forEach((sourceRef, copy) -> {
      String tagged = copy.getStatus().getCopy().substring(0, copy.getStatus().getCopy().indexOf('@'));
      String repository = tagged.substring(destination.hostPort().length() + 1, tagged.lastIndexOf(':'));
      assertThat(jobs.get(repository)).as("copy jobs of %s", sourceRef).isEqualTo(1L);
      assertThat(after.get(sourceRef).getStatus().getVerifiedAt()).as(sourceRef)
          .isEqualTo(copy.getStatus().getVerifiedAt());
    });
    long copiedAgain = jobs.values().stream().filter(n -> n > 1).count();
    System.out.printf("images whose copy job ran more than once (finding the copy already there): %d%n",
        copiedAgain);
    deployments.keySet().forEach(name -> {
      Deployment stored = kube.client().apps().deployments().inNamespace(namespace).withName(name).get();
      assertThat(stored.getMetadata().getGeneration()).as("%s is patched once", name).isEqualTo(2L);
    });
  }

  /**
   * Watch expiry: the operator is cut off from the API server (a relay in between), workloads are
   * created and changed meanwhile, etcd compacts its history and the API server restarts, so that a
   * watch from any resourceVersion the operator knew is answered 410 Gone. When the link is back, the
   * informers list again: fabric8's informers ({@code Reflector}) are heard, through their DEBUG log,
   * being told 410 Gone and listing again. Missed: nothing, each Deployment created while cut off is
   * pointed at a verified copy. Done twice: nothing, the Deployment patched before the cut and those
   * created during it are each patched once (generation 2), and each image's manifest is pushed once.
   */
  @Test
  void watchesExpiredByCompactionAreListedAgainAndNothingIsMissed() throws Exception {
    String namespace = kube.newNamespace("expiry", Map.of("faults", "expiry"));
    URI apiServer = URI.create(kube.plane().apiServerUrl());
    TcpRelay relay = new TcpRelay(apiServer.getPort());
    Config config = kube.plane().config();
    config.setMasterUrl("https://127.0.0.1:" + relay.port());
    ReflectorLog informers = new ReflectorLog();
    try (relay; informers; KubernetesClient throughRelay = new KubernetesClientBuilder().withConfig(config).build()) {
      startOperator(throughRelay, "expiry");
      kube.client().apps().deployments().inNamespace(namespace).resource(kube.client().getKubernetesSerialization()
          .unmarshal(deployment("before", List.of("faults/app-" + (IMAGES + 1))), Deployment.class)).create();
      kube.await("before points at its copy", () -> pointsAtCopies(namespace, "before",
          List.of("faults/app-" + (IMAGES + 1)), readyCopies()));
      String lastSeen = kube.client().apps().deployments().inNamespace(namespace).withName("before").get()
          .getMetadata().getResourceVersion();

      relay.cut();
      Instant cut = Instant.now();
      informers.start();
      List<String> created = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String name = "during-" + i;
        kube.client().apps().deployments().inNamespace(namespace).resource(kube.client().getKubernetesSerialization()
            .unmarshal(deployment(name, List.of("faults/app-" + (IMAGES + 2 + i))), Deployment.class)).create();
        created.add(name);
      }
      long compacted = kube.plane().compactEtcd();
      kube.plane().restartApiServer();
      // What the operator's informers will hear when they watch again from what they knew: 410 Gone.
      assertThat(watchFrom(namespace, lastSeen)).isEqualTo(410);
      int listedWhileCut = informers.lists().size();
      relay.restore();
      System.out.printf("cut off for %d ms; etcd compacted at revision %d; the operator last saw %s%n",
          Duration.between(cut, Instant.now()).toMillis(), compacted, lastSeen);

      Instant restored = Instant.now();
      Awaitility.await("every Deployment created while cut off points at its copy").atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(250)).until(() -> {
            Map<String, ImageCopy> ready = readyCopies();
            return IntStream.range(0, created.size()).allMatch(i -> pointsAtCopies(namespace, created.get(i),
                List.of("faults/app-" + (IMAGES + 2 + i)), ready));
          });
      System.out.printf("all %d Deployments created while cut off were patched %d ms after the link came back%n",
          created.size(), Duration.between(restored, Instant.now()).toMillis());
      // The informers were told 410 Gone and listed again: the Deployments' among them.
      List<String> gone = informers.gone();
      List<String> lists = informers.lists().subList(listedWhileCut, informers.lists().size());
      System.out.printf("informers told 410 Gone: %d; lists after the link came back: %d%n  %s%n", gone.size(),
          lists.size(), String.join("\n  ", lists));
      assertThat(gone).as("watches answered 410 Gone").anySatisfy(g -> assertThat(g).contains("deployments"));
      assertThat(lists).as("the Deployment informer listed again").anySatisfy(l -> assertThat(l).contains("deployments"));
      Map<String, Long> manifestPuts = destination.requests().stream()
          .filter(r -> r.isManifestPut() && r.status() == 201 && r.path().contains("/expiry/"))
          .collect(Collectors.groupingBy(RegistryRequest::path, Collectors.counting()));
      assertThat(manifestPuts).as("manifests pushed").hasSize(1 + created.size())
          .allSatisfy((path, puts) -> assertThat(puts).as(path).isEqualTo(1));
      assertThat(kube.client().apps().deployments().inNamespace(namespace).withName("before").get().getMetadata()
          .getGeneration()).as("before is patched once").isEqualTo(2L);
      created.forEach(name -> assertThat(kube.client().apps().deployments().inNamespace(namespace).withName(name)
          .get().getMetadata().getGeneration()).as("%s is patched once", name).isEqualTo(2L));
    }
  }

  /**
   * What fabric8's informers say at DEBUG ({@code Reflector}) about 410 Gone and about listing, from
   * {@link #start()} until closed, when it is printed (without the events received).
   */
  private static final class ReflectorLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(
        "io.fabric8.kubernetes.client.informers.impl.cache.Reflector");
    private final Level level = logger.getLevel();
    private final List<String> gone = new CopyOnWriteArrayList<>();
    private final List<String> lists = new CopyOnWriteArrayList<>();
    private final List<String> heard = new CopyOnWriteArrayList<>();

    @Override
    public void start() {
      super.start();
      logger.addAppender(this);
      logger.setLevel(Level.DEBUG);
      logger.setAdditive(false);
    }

    @Override
    protected void append(ILoggingEvent event) {
      String message = event.getFormattedMessage();
      if (!message.startsWith("Event received")) {
        heard.add(Instant.ofEpochMilli(event.getTimeStamp()) + " " + event.getLevel() + " " + message
            + (event.getThrowableProxy() == null ? "" : ": " + event.getThrowableProxy().getMessage()));
      }
      if (message.startsWith("Watch restarting due to http gone")) {
        gone.add(message);
      } else if (message.startsWith("Listing items")) {
        lists.add(message);
      }
    }

    List<String> gone() {
      return gone;
    }

    List<String> lists() {
      return lists;
    }

    @Override
    public void close() {
      System.out.printf("the informers' log (fabric8 Reflector) from the cut on:%n  %s%n", String.join("\n  ", heard));
      logger.detachAppender(this);
      logger.setLevel(level);
      logger.setAdditive(true);
      stop();
    }
  }

  /** The HTTP code a watch of Deployments from {@code resourceVersion} ends with (0: it did not end). */
  @SuppressWarnings("try") // the watch is only held open
  private static int watchFrom(String namespace, String resourceVersion) throws Exception {
    CompletableFuture<Integer> code = new CompletableFuture<>();
    Watcher<Deployment> watcher = new Watcher<>() {
      @Override
      public void eventReceived(Action action, Deployment resource) { }

      @Override
      public void onClose(WatcherException cause) {
        code.complete(cause.isHttpGone() ? 410 : cause.asClientException().getCode());
      }

      @Override
      public boolean reconnecting() {
        return false;
      }
    };
    try (Watch ignored = kube.client().apps().deployments().inNamespace(namespace)
        .withResourceVersion(resourceVersion).watch(watcher)) {
      return code.get(30, TimeUnit.SECONDS);
    } catch (KubernetesClientException e) {
      return e.getCode();
    }
  }
}
