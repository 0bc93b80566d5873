package dev.holdfast.operator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.copy.CopyEngine;
import dev.holdfast.oci.copy.CopyOptions;
import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.CopyResult;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryRequest;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.operator.HoldfastOperator;
import dev.holdfast.operator.OperatorSettings;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25, destination registry down under load: {@value #DEFAULT_IMAGES} Deployments, each naming
 * its own small image (3 layers of 100 kB), are created one after another in a namespace whose
 * ImagePolicy patches workloads ({@code rewrite: Patch}); once a few copies are verified, with others
 * under way and more Deployments still to come, the destination registry is killed (SIGKILL) and kept
 * down for the outage, then started again on the same storage. The outage is {@value
 * #DEFAULT_OUTAGE_SECONDS} s here, to keep the suite's time (the test takes about 3 minutes);
 * {@code bench/fault-destination-outage.sh} runs the 60 s (with 100 images) through {@code
 * -Dholdfast.fault.outageSeconds} and {@code -Dholdfast.fault.images}.
 *
 * <p>Every change of every Deployment, ReplicaSet and Pod in the namespace and of every ImageCopy is
 * watched for the whole run. It shows:
 *
 * <ul>
 *   <li>the copies backed off: failures recorded ({@code Unreachable}), retries made, each no sooner
 *       after the failure before it than the back-off (1 s doubled per failure, at most 4 s here),
 *       and every copy recovered once the registry was back;
 *   <li>no workload or Pod ever named a copy before its ImageCopy was Ready (compared by
 *       resourceVersion: one etcd orders every write), and each copy named is served by the
 *       destination by digest at the end (its bytes hash to the digest);
 *   <li>nothing lost: one Ready ImageCopy per image, every Deployment pointed at its copy;
 *   <li>nothing duplicated: no second ImageCopy for a source, no copy made again once Ready, each
 *       Deployment patched exactly once (generation 2) and never back, each copy's manifest put
 *       once, but for puts the registry lost in the crash.
 * </ul>
 */
class DestinationOutageIT {
  static final int DEFAULT_IMAGES = 50;
  static final int DEFAULT_OUTAGE_SECONDS = 15;
  static final int IMAGES = Integer.getInteger("holdfast.fault.images", DEFAULT_IMAGES);
  static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("holdfast.fault.outageSeconds",
      DEFAULT_OUTAGE_SECONDS));
  static final Duration RETRY_BASE = Duration.ofSeconds(1);
  static final Duration RETRY_CAP = Duration.ofSeconds(4);

  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.plain();
  @TempDir static Path work;

  static HoldfastOperator operator;
  static String namespace;
  static final List<Watch> watches = new ArrayList<>();

  /** A workload or Pod as a watch event showed it. */
  record Sighting(String object, long resourceVersion, long generation, List<String> images) {}

  /** An ImageCopy as a watch event showed it. */
  record CopyEvent(String name, long resourceVersion, boolean ready, String copy, int failures, String reason,
      String attemptedAt) {}

  static final List<Sighting> sightings = new CopyOnWriteArrayList<>();
  static final List<CopyEvent> copyEvents = new CopyOnWriteArrayList<>();
  static final List<String> watchErrors = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    // the images: seeded with the library (skopeo would take a second each); read back below by digest
    Path layout = work.resolve("layout");
    List<WrittenImage> images = new ArrayList<>();
    List<CopyRequest> seeds = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      WrittenImage image = SyntheticImage.builder().seed(9100 + i).layers(3).layerSize(100_000)
          .platforms("linux/amd64").build().writeTo(layout, "app-" + i);
      images.add(image);
      seeds.add(CopyRequest.of(ImageLocation.Layout.of(layout, "app-" + i),
          new ImageLocation.Registry(ImageReference.parse(source.hostPort() + "/outage/app-" + i + ":1")),
          CopyOptions.defaults()));
    }
    try (RegistryClient client = RegistryClient.builder().build();
        CopyEngine engine = CopyEngine.builder(client).build()) {
      List<CopyResult> seeded = engine.copyAll(seeds);
      for (int i = 0; i < IMAGES; i++) {
        assertThat(seeded.get(i)).isInstanceOf(CopyResult.Copied.class);
        assertThat(((CopyResult.Copied) seeded.get(i)).digest().toString()).isEqualTo(images.get(i).digest());
      }
    }
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
    namespace = kube.newNamespace("outage", Map.of("fault-test", "destination-outage"));
    kube.apply("""
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: destination-outage}
        spec:
          destination: {registry: "%s", repository: copies}
          namespaceSelector: {matchLabels: {fault-test: destination-outage}}
          rewrite: Patch
        """.formatted(destination.hostPort()));
    watchEverything();
    operator = new HoldfastOperator(kube.plane().newClient(), OperatorSettings.defaults(
        kube.newNamespace("holdfast-system")).withRetry(RETRY_BASE, RETRY_CAP));
    operator.start();
  }

  @AfterAll
  static void stop() {
    watches.forEach(Watch::close);
    if (operator != null) {
      operator.close();
    }
    kube.client().resources(ImageCopy.class).delete();
    kube.client().resources(ImagePolicy.class).withName("destination-outage").delete();
  }

  private static void watchEverything() {
    var client = kube.client();
    watches.add(client.apps().deployments().inNamespace(namespace).watch(recorder(d -> d.getSpec().getTemplate()
        .getSpec())));
    watches.add(client.apps().replicaSets().inNamespace(namespace).watch(recorder(r -> r.getSpec().getTemplate()
        .getSpec())));
    watches.add(client.pods().inNamespace(namespace).watch(recorder(Pod::getSpec)));
    watches.add(client.resources(ImageCopy.class).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, ImageCopy copy) {
        if (action == Action.DELETED || copy.getSpec() == null || !copy.getSpec().getPolicy()
            .equals("destination-outage")) {
          return;
        }
        var status = copy.getStatus();
        String reason = status == null ? null : status.getConditions() == null ? null : status.getConditions()
            .stream().filter(c -> c.getType().equals(CopyStatus.READY)).map(c -> c.getReason()).findFirst()
            .orElse(null);
        copyEvents.add(new CopyEvent(copy.getMetadata().getName(), rv(copy), CopyStatus.isReady(copy),
            status == null ? null : status.getCopy(), CopyStatus.failures(copy), reason,
            status == null ? null : status.getAttemptedAt()));
      }

      @Override
      public void onClose(WatcherException cause) {
        watchErrors.add("ImageCopy watch closed: " + cause);
      }
    }));
  }

  private static <T extends HasMetadata> Watcher<T> recorder(Function<T, PodSpec> spec) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, T object) {
        if (action == Action.DELETED || action == Action.ERROR) {
          return;
        }
        PodSpec pod = spec.apply(object);
        List<String> images = Stream.concat(
                Optional.ofNullable(pod.getInitContainers()).orElse(List.of()).stream(),
                Optional.ofNullable(pod.getContainers()).orElse(List.of()).stream())
            .map(Container::getImage).toList();
        Long generation = object.getMetadata().getGeneration();
        sightings.add(new Sighting(object.getKind() + "/" + object.getMetadata().getName(), rv(object),
            generation == null ? 0 : generation, images));
      }

      @Override
      public void onClose(WatcherException cause) {
        watchErrors.add("watch closed: " + cause);
      }
    };
  }

  private static long rv(HasMetadata object) {
    return Long.parseLong(object.getMetadata().getResourceVersion());
  }

  private static String src(int i) {
    return source.hostPort() + "/outage/app-" + i + ":1";
  }

  private static List<ImageCopy> copies() {
    return kube.client().resources(ImageCopy.class).list().getItems().stream()
        .filter(c -> c.getSpec().getPolicy().equals("destination-outage")).toList();
  }

  private static long readyCount() {
    return copyEvents.stream().filter(CopyEvent::ready).map(CopyEvent::name).distinct().count();
  }

  @Test
  void copiesBackOffDuringTheOutageRecoverAfterItAndNothingEverNamesAnUnverifiedCopy() throws Exception {
    // the Deployments are created while the copies run: the registry dies once a few copies are
    // verified, with others under way and more still to come
    CompletableFuture<Void> created = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < IMAGES; i++) {
        kube.client().apps().deployments().inNamespace(namespace).resource(kube.client()
            .getKubernetesSerialization().unmarshal("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app-%1$d}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: app-%1$d}}
                  template:
                    metadata: {labels: {app: app-%1$d}}
                    spec:
                      containers: [{name: c, image: "%2$s"}]
                """.formatted(i, src(i)), Deployment.class)).serverSideApply();
      }
    });
    Awaitility.await("a few verified copies").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
        .until(() -> readyCount() >= Math.max(2, IMAGES / 20));
    destination.kill();
    long killedNanos = System.nanoTime();
    long readyAtKill = readyCount();
    assertThat(readyAtKill).as("copies still to make when the registry died").isLessThan(IMAGES);
    long lastRvBeforeOutage = copyEvents.stream().mapToLong(CopyEvent::resourceVersion).max().orElse(0);

    Thread.sleep(OUTAGE); // the outage itself: the scenario's duration, not a wait for a condition
    long deploymentsAtRestart = sightings.stream().filter(x -> x.object().startsWith("Deployment/"))
        .map(Sighting::object).distinct().count();
    Map<String, Integer> failuresInOutage = new TreeMap<>();
    copyEvents.forEach(e -> failuresInOutage.merge(e.name(), e.failures(), Math::max));
    Set<String> reasons = copyEvents.stream().filter(e -> e.failures() > 0).map(CopyEvent::reason)
        .collect(Collectors.toSet());
    long readyAtRestart = readyCount();
    Duration outage = Duration.ofNanos(System.nanoTime() - killedNanos);
    destination.start();
    long restartedNanos = System.nanoTime();

    created.get(2, TimeUnit.MINUTES);
    Awaitility.await("every copy verified after the registry came back").atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(50)).until(() -> copies().size() == IMAGES
            && copies().stream().allMatch(CopyStatus::isReady));
    long recoveredNanos = System.nanoTime();
    Map<String, ImageCopy> bySource = copies().stream()
        .collect(Collectors.toMap(c -> c.getSpec().getSource(), c -> c));
    Awaitility.await("every Deployment pointed at its copy").atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100)).until(() -> {
          for (int i = 0; i < IMAGES; i++) {
            Deployment d = kube.client().apps().deployments().inNamespace(namespace).withName("app-" + i).get();
            if (!d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()
                .equals(bySource.get(src(i)).getStatus().getCopy())) {
              return false;
            }
          }
          return true;
        });
    long patchedNanos = System.nanoTime();
    // the watches have delivered every change up to the last patch once they show the Pods of it
    Awaitility.await("the watches caught up").atMost(Duration.ofMinutes(1)).until(() -> bySource.values().stream()
        .allMatch(c -> sightings.stream().anyMatch(s -> s.object().startsWith("Pod/")
            && s.images().contains(c.getStatus().getCopy()))));
    watches.forEach(Watch::close);

    int maxFailures = failuresInOutage.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    // each retry of a failed copy: how long after the failure before it, against the back-off then
    // (attemptedAt is kept to the second, and the operator counts the back-off from it too)
    List<Duration> retryGaps = new ArrayList<>();
    List<String> early = new ArrayList<>();
    Map<String, TreeMap<Integer, Instant>> failedAt = new TreeMap<>();
    copyEvents.stream().filter(e -> e.failures() > 0 && e.attemptedAt() != null).forEach(e -> failedAt
        .computeIfAbsent(e.name(), n -> new TreeMap<>()).putIfAbsent(e.failures(), Instant.parse(
            e.attemptedAt())));
    failedAt.forEach((name, failures) -> failures.forEach((n, at) -> {
      Instant previous = failures.get(n - 1);
      if (previous != null) {
        Duration gap = Duration.between(previous, at);
        retryGaps.add(gap);
        if (gap.compareTo(backoffAfter(n - 1)) < 0) {
          early.add(name + " failure " + n + " " + gap.toMillis() + " ms after failure " + (n - 1));
        }
      }
    }));
    List<RegistryRequest> written = destination.requests();
    Map<String, Long> manifestPuts = written.stream().filter(RegistryRequest::isManifestPut)
        .collect(Collectors.groupingBy(r -> r.path(), Collectors.counting()));
    System.out.printf("Destination outage: %d images, %d verified when the registry was killed (%d Deployments"
            + " created by its return), %d when it came back after %d s; copies that failed meanwhile: %d, most"
            + " failures of one copy %d (back-off %s..%s); %d retries, by seconds after the failure before %s, %d"
            + " sooner than the back-off %s;"
            + " all verified %d ms after the restart, all Deployments patched %d ms after it; manifest PUTs %d for"
            + " %d copies; %d workload and Pod changes watched, %d ImageCopy changes%n",
        IMAGES, readyAtKill, deploymentsAtRestart, readyAtRestart, outage.toSeconds(),
        failuresInOutage.values().stream().filter(n -> n > 0).count(), maxFailures, RETRY_BASE, RETRY_CAP,
        retryGaps.size(), retryGaps.stream().collect(Collectors.groupingBy(Duration::toSeconds, TreeMap::new,
            Collectors.counting())), early.size(), early.stream().limit(5).toList(),
        Duration.ofNanos(recoveredNanos - restartedNanos).toMillis(),
        Duration.ofNanos(patchedNanos - restartedNanos).toMillis(),
        manifestPuts.values().stream().mapToLong(Long::longValue).sum(), IMAGES, sightings.size(), copyEvents.size());

    // --- the copies backed off during the outage
    assertThat(watchErrors).isEmpty();
    assertThat(failuresInOutage.values().stream().filter(n -> n > 0)).as("copies that failed in the outage")
        .isNotEmpty();
    assertThat(reasons).as("why they failed").contains("Unreachable");
    assertThat(retryGaps).as("failed copies tried again in the outage").isNotEmpty();
    assertThat(early).as("retries sooner than the back-off after the failure before").isEmpty();

    // --- nothing lost, nothing duplicated
    assertThat(copies()).hasSize(IMAGES);
    assertThat(bySource.keySet()).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, IMAGES).mapToObj(DestinationOutageIT::src).toList());
    Map<String, List<CopyEvent>> byCopy = copyEvents.stream().collect(Collectors.groupingBy(CopyEvent::name));
    byCopy.forEach((name, events) -> {
      boolean wasReady = false;
      String firstCopy = null;
      for (CopyEvent e : events) {
        assertThat(!wasReady || e.ready()).as("%s went from Ready back to not Ready (copied again)", name).isTrue();
        if (e.ready()) {
          firstCopy = firstCopy == null ? e.copy() : firstCopy;
          assertThat(e.copy()).as("%s's copy changed", name).isEqualTo(firstCopy);
        }
        wasReady |= e.ready();
      }
    });
    Map<String, Long> firstReadyRv = new ConcurrentHashMap<>();
    copyEvents.stream().filter(CopyEvent::ready)
        .forEach(e -> firstReadyRv.merge(e.copy(), e.resourceVersion(), Math::min));
    for (int i = 0; i < IMAGES; i++) {
      Deployment d = kube.client().apps().deployments().inNamespace(namespace).withName("app-" + i).get();
      assertThat(d.getMetadata().getGeneration()).as("generation of app-%d: created, then patched once", i)
          .isEqualTo(2);
      String copy = bySource.get(src(i)).getStatus().getCopy();
      String deployment = "Deployment/app-" + i;
      List<List<String>> templates = sightings.stream().filter(s -> s.object().equals(deployment))
          .map(Sighting::images).distinct().toList();
      assertThat(templates).as("app-%d's images over time", i).containsExactly(List.of(src(i)), List.of(copy));
    }
    Map<String, Long> putsPerCopy = new TreeMap<>();
    for (ImageCopy c : bySource.values()) {
      ImageReference copy = ImageReference.parse(c.getStatus().getCopy());
      String path = "/v2/" + copy.repository() + "/manifests/" + copy.tag().orElseThrow();
      putsPerCopy.put(c.getStatus().getCopy(), manifestPuts.getOrDefault(path, 0L));
    }
    // a copy verified before the crash was put once; one under way may have been put again after it
    bySource.values().stream().filter(c -> firstReadyRv.getOrDefault(c.getStatus().getCopy(), Long.MAX_VALUE)
            <= lastRvBeforeOutage)
        .forEach(c -> assertThat(putsPerCopy.get(c.getStatus().getCopy())).as("puts of %s", c.getStatus().getCopy())
            .isEqualTo(1));
    assertThat(putsPerCopy.values()).allMatch(n -> n >= 1);

    // --- no workload or Pod ever named a copy that was not verified, and every copy named is served
    Set<String> named = new TreeSet<>();
    for (Sighting s : sightings) {
      for (String image : s.images()) {
        if (!image.startsWith(destination.hostPort() + "/")) {
          continue;
        }
        named.add(image);
        assertThat(firstReadyRv).as("%s names %s, which no Ready ImageCopy holds", s.object(), image)
            .containsKey(image);
        assertThat(firstReadyRv.get(image)).as("%s (resourceVersion %d) names %s before it was verified", s.object(),
            s.resourceVersion(), image).isLessThan(s.resourceVersion());
      }
    }
    assertThat(named).hasSize(IMAGES);
    for (String image : named) {
      ImageReference copy = ImageReference.parse(image);
      Digest digest = copy.digest().orElseThrow();
      HttpResponse<byte[]> manifest = destination.httpClient().send(HttpRequest.newBuilder(
              destination.baseUri().resolve("/v2/" + copy.repository() + "/manifests/" + digest))
          .header("Accept", "application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json")
          .build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(manifest.statusCode()).as("GET %s", image).isEqualTo(200);
      assertThat(Digest.sha256(manifest.body())).as("digest of the manifest served for %s", image).isEqualTo(digest);
    }
  }

  /** The operator's wait after a copy's {@code failures}-th failure in a row: base doubled, at most the cap. */
  static Duration backoffAfter(int failures) {
    Duration wait = RETRY_BASE.multipliedBy(1L << Math.min(failures - 1, 20));
    return wait.compareTo(RETRY_CAP) > 0 ? RETRY_CAP : wait;
  }
}
