package dev.holdfast.oci.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.layout.OciLayout;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.ImageManifest;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.SyntheticImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** How the blob transfers of one run share a destination's permits, between real OCI layouts. */
class TransfersTest {
  @RegisterExtension static final RegistryExtension registry = RegistryExtension.plain();
  @TempDir Path work;

  @Test
  void aBlobOtherImagesWaitForGetsTheNextFreePermit() throws Exception {
    SyntheticImage.builder().layers(3).layerSize(20_000).seed(7).platforms("linux/amd64").build()
        .writeTo(work.resolve("src"), "v1");
    LayoutEndpoint source = new LayoutEndpoint(OciLayout.open(work.resolve("src")), Optional.of("v1"));
    ImageManifest image = (ImageManifest) source.fetch().orElseThrow();
    Descriptor holder = image.layers().get(0);
    Descriptor own = image.layers().get(1);
    Descriptor shared = image.layers().get(2);
    LayoutEndpoint sink = new LayoutEndpoint(OciLayout.openOrCreate(work.resolve("dst")), Optional.of("v1"));

    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Descriptor> started = Collections.synchronizedList(new ArrayList<>());
    ProgressListener listener = new ProgressListener() {
      @Override
      public void blobStarted(CopyRequest request, Descriptor blob) {
        started.add(blob);
        if (blob.equals(holder)) {
          holding.countDown();
          await(release); // keeps the destination's only permit while the others queue
        }
      }
    };
    Limits limits = new Limits(8, 1);
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      Transfers transfers = new Transfers(limits, BlobHashing.AUTO, listener, executor);
      List<Future<?>> copies = new ArrayList<>();
      copies.add(executor.submit(() -> transfers.copyBlob(job(source, sink), holder)));
      await(holding);
      copies.add(executor.submit(() -> transfers.copyBlob(job(source, sink), own)));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> limits.queuedFor(sink.limitKey()) == 1);
      copies.add(executor.submit(() -> transfers.copyBlob(job(source, sink), shared)));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> limits.queuedFor(sink.limitKey()) == 2);
      // A second image needs the shared blob too: it waits for the first image's transfer.
      copies.add(executor.submit(() -> transfers.copyBlob(job(source, sink), shared)));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> transfers.waitingFor(shared.digest()) == 1);

      release.countDown();
      for (Future<?> copy : copies) {
        copy.get(10, TimeUnit.SECONDS);
      }
    }
    // First come, first served would give holder, own, shared.
    assertThat(started).containsExactly(holder, shared, own);
    assertThat(sink.hasBlob(shared)).isTrue();
    assertThat(sink.hasBlob(own)).isTrue();
  }

  @Test
  void whenAnotherImagesTransferFailsAWaitingImageTriesWithItsOwnSource() throws Exception {
    Sources sources = sources(8);
    LayoutEndpoint sink = new LayoutEndpoint(OciLayout.openOrCreate(work.resolve("dst")), Optional.of("v1"));

    List<Throwable> thrown = race(sources.missing(), job(sources.broken(), sink), job(sources.intact(), sink));

    assertThat(thrown.get(0)).as("the image reading the broken source").isNotNull();
    assertThat(thrown.get(1)).as("the image that waited, then tried with its own source").isNull();
    assertThat(sink.hasBlob(sources.missing())).isTrue();
  }

  @Test
  void aSecondFailureReachesTheWaitingImage() throws Exception {
    Sources sources = sources(9);
    LayoutEndpoint sink = new LayoutEndpoint(OciLayout.openOrCreate(work.resolve("dst")), Optional.of("v1"));

    List<Throwable> thrown = race(sources.missing(), job(sources.broken(), sink), job(sources.broken(), sink));

    assertThat(thrown.get(0)).isNotNull();
    assertThat(thrown.get(1)).as("tried once itself, failed too").isNotNull();
    assertThat(sink.hasBlob(sources.missing())).isFalse();
  }

  /**
   * Copies {@code blob} for several images: the first starts, and holds its transfer until all the
   * others wait for it. What each threw, in order (null: it succeeded).
   */
  private static List<Throwable> race(Descriptor blob, Transfers.Job... jobs) throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean gated = new AtomicBoolean();
    ProgressListener listener = new ProgressListener() {
      @Override
      public void blobStarted(CopyRequest request, Descriptor started) {
        if (gated.compareAndSet(false, true)) {
          holding.countDown();
          await(release);
        }
      }
    };
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      Transfers transfers = new Transfers(new Limits(8, 8), BlobHashing.AUTO, listener, executor);
      List<Future<?>> copies = new ArrayList<>();
      copies.add(executor.submit(() -> transfers.copyBlob(jobs[0], blob)));
      await(holding);
      for (int i = 1; i < jobs.length; i++) {
        Transfers.Job job = jobs[i];
        copies.add(executor.submit(() -> transfers.copyBlob(job, blob)));
      }
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> transfers.waitingFor(blob.digest()) == jobs.length - 1);
      release.countDown();
      List<Throwable> thrown = new ArrayList<>();
      for (Future<?> copy : copies) {
        thrown.add(failure(copy));
      }
      return thrown;
    }
  }

  private static Throwable failure(Future<?> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void whenTheFirstUploadIntoARegistryFailsOneWaitingImageTakesItOverAndTheOthersMountIt() throws Exception {
    Sources sources = sources(10);
    LayoutEndpoint intact = sources.intact();
    LayoutEndpoint broken = sources.broken();
    Descriptor shared = sources.missing();
    RegistryClient client = Registries.client(registry);
    Transfers.Job one = job(broken, new RegistryEndpoint(client, Registries.ref(registry, "handover/one:v1")));
    Transfers.Job two = job(intact, new RegistryEndpoint(client, Registries.ref(registry, "handover/two:v1")));
    Transfers.Job three = job(intact, new RegistryEndpoint(client, Registries.ref(registry, "handover/three:v1")));

    List<Throwable> thrown = race(shared, one, two, three);

    assertThat(thrown.get(0)).as("the image reading the broken source").isNotNull();
    assertThat(thrown.subList(1, 3)).containsOnlyNulls();
    // One of the two took the upload over; the other waited for it and mounted the blob. Each
    // uploading the blob itself would make two copies.
    assertThat(List.of(two.tally().copied.get(), three.tally().copied.get())).containsExactlyInAnyOrder(1, 0);
    assertThat(List.of(two.tally().mounted.get(), three.tally().mounted.get())).containsExactlyInAnyOrder(0, 1);
    assertThat(client.headBlob(Registries.ref(registry, "handover/three:v1"), shared.digest())).contains(shared.size());
  }

  /** An image in an OCI layout, a copy of that layout without one of its layers, and that layer. */
  private record Sources(LayoutEndpoint intact, LayoutEndpoint broken, Descriptor missing) {}

  private Sources sources(long seed) throws IOException {
    Path dir = work.resolve("intact");
    SyntheticImage.builder().layers(2).layerSize(20_000).seed(seed).platforms("linux/amd64").build().writeTo(dir, "v1");
    LayoutEndpoint intact = new LayoutEndpoint(OciLayout.open(dir), Optional.of("v1"));
    Descriptor missing = ((ImageManifest) intact.fetch().orElseThrow()).layers().get(1);
    return new Sources(intact, brokenCopy(dir, missing), missing);
  }

  /** A copy of the layout at {@code dir} without {@code missing}'s blob file. */
  private LayoutEndpoint brokenCopy(Path dir, Descriptor missing) throws IOException {
    Path copy = work.resolve("broken");
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.toList()) {
        Files.copy(file, copy.resolve(dir.relativize(file).toString()));
      }
    }
    Files.delete(copy.resolve("blobs/" + missing.digest().algorithm() + "/" + missing.digest().encoded()));
    return new LayoutEndpoint(OciLayout.open(copy), Optional.of("v1"));
  }

  private static Transfers.Job job(ImageSource source, ImageSink sink) {
    CopyRequest request = CopyRequest.of(source.location(), sink.location(), CopyOptions.defaults());
    return new Transfers.Job(request, source, sink, new Tally());
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).as("latch released in time").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
