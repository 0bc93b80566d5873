package dev.holdfast.oci.copy;

import dev.holdfast.oci.copy.ProgressListener.BlobOutcome;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.ImageIndex;
import dev.holdfast.oci.manifest.ImageManifest;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blob and manifest transfers of one engine run, shared by all its images: each blob and each
 * manifest is handled once per destination repository (or layout), and a blob that reached one
 * repository of a registry is mounted into the others instead of crossing the network again.
 */
final class Transfers {
  private static final Logger log = LoggerFactory.getLogger(Transfers.class);
  /**
   * Blobs up to this size are not asked about with a HEAD before they are uploaded: the sink finds
   * out while it opens the upload (a registry in one request, see {@link ImageSink#putBlobUnlessPresent}).
   * Larger blobs get the HEAD first, so that a registry that cannot say so while opening an upload
   * (one that cannot mount) never receives a large blob it has.
   */
  static final long ASK_WHILE_UPLOADING = 4L << 20;
  private final Limits limits;
  private final BlobHashing hashing;
  private final ProgressListener listener;
  private final ExecutorService executor;
  /** blob scope + digest: the one transfer of that blob into that repository or layout. */
  private final Map<String, CompletableFuture<BlobOutcome>> blobs = new ConcurrentHashMap<>();
  /** registry + digest: the repository of that registry where the blob landed first. */
  private final Map<String, CompletableFuture<Landing>> landed = new ConcurrentHashMap<>();
  /** blob scope + digest: the one write of that manifest (and its tree). */
  private final Map<String, CompletableFuture<Boolean>> manifests = new ConcurrentHashMap<>();
  /**
   * digest: how many images wait now for another image's transfer of that blob (its urgency), or
   * of that manifest; only what someone waited for has an entry.
   */
  private final Map<Digest, AtomicInteger> waiting = new ConcurrentHashMap<>();

  Transfers(Limits limits, BlobHashing hashing, ProgressListener listener, ExecutorService executor) {
    this.limits = limits;
    this.hashing = hashing;
    this.listener = listener;
    this.executor = executor;
  }

  /**
   * Where a blob is in a destination registry: the repository, and whether this run put it there
   * (copied or mounted) rather than found it.
   */
  private record Landing(String repository, boolean arrived) {}

  /** One image's view: its request, source, sink and counters. */
  record Job(CopyRequest request, ImageSource source, ImageSink sink, Tally tally) {}

  /**
   * Copies what a manifest refers to, but not the manifest itself: the child manifests of an index,
   * the config and layers of an image. The caller stores the manifest afterwards.
   */
  void copyContents(Job job, Manifest manifest) {
    switch (manifest) {
      case ImageIndex index -> inParallel(index.manifests(), child -> copyManifest(job, child, null));
      case ImageManifest image -> inParallel(blobsOf(image), blob -> copyBlob(job, blob));
    }
  }

  /**
   * Copies a manifest and everything it refers to, children before parents, unless the
   * destination has it already. The manifest is fetched from the source only when needed.
   *
   * @param known the manifest when the caller already fetched it, else null
   */
  void copyManifest(Job job, Descriptor descriptor, Manifest known) {
    once(manifests, job.sink().blobScope() + "|" + descriptor.digest(), descriptor, () -> {
      if (job.sink().hasManifest(descriptor.digest())) {
        return false;
      }
      Manifest manifest = known != null ? known : job.source().manifest(descriptor);
      copyContents(job, manifest);
      job.sink().putManifest(manifest);
      job.tally().manifests.incrementAndGet();
      job.tally().bytes.addAndGet(manifest.size());
      return true;
    });
  }

  /** The config and the layers, each digest once (a blob listed twice is copied once). */
  private static List<Descriptor> blobsOf(ImageManifest image) {
    List<Descriptor> blobs = new ArrayList<>();
    Set<Digest> seen = new HashSet<>();
    blobs.add(image.config());
    seen.add(image.config().digest());
    for (Descriptor layer : image.layers()) {
      // Foreign (non-distributable) layers live at their URLs, not in the registry.
      boolean foreign = !layer.urls().isEmpty() && (layer.mediaType().contains("foreign")
          || layer.mediaType().contains("nondistributable"));
      if (!foreign && seen.add(layer.digest())) {
        blobs.add(layer);
      }
    }
    return blobs;
  }

  /** Makes sure one blob is at the destination: HEAD, then mount, then stream. */
  void copyBlob(Job job, Descriptor blob) {
    Ran<BlobOutcome> ran = once(blobs, job.sink().blobScope() + "|" + blob.digest(), blob, () -> ensureBlob(job, blob));
    // when another image of this run moved it, for this one it is already there
    BlobOutcome outcome = ran.here() ? ran.value() : BlobOutcome.SKIPPED;
    job.tally().count(outcome);
    listener.blobDone(job.request(), blob, outcome);
  }

  /** What {@link #once} returned, and whether this caller did the work. */
  private record Ran<T>(T value, boolean here) {}

  /**
   * Does {@code work} once per {@code key} among the images of this run: the first caller does it,
   * the others wait for its result. When it fails, the failure is not passed on at once: that
   * image's source or connection failed, and a waiting image tries once itself, with its own. A
   * second failure reaches every image still waiting.
   */
  private <T> Ran<T> once(Map<String, CompletableFuture<T>> runs, String key, Descriptor of, Supplier<T> work) {
    boolean failedElsewhere = false;
    while (true) {
      CompletableFuture<T> mine = new CompletableFuture<>();
      CompletableFuture<T> existing = runs.putIfAbsent(key, mine);
      if (existing == null) {
        try {
          T value = work.get();
          mine.complete(value);
          return new Ran<>(value, true);
        } catch (RuntimeException e) {
          runs.remove(key, mine); // before the waiters wake: one of them may take over
          mine.completeExceptionally(e);
          throw e;
        }
      }
      try {
        return new Ran<>(whileWaiting(of, () -> join(existing)), false);
      } catch (RuntimeException e) {
        if (failedElsewhere) {
          throw e;
        }
        failedElsewhere = true;
      }
    }
  }

  /**
   * HEAD, mount, stream. A blob that another transfer of this run brought into another repository
   * of the same registry is mounted from there without asking first: it was not in that registry
   * before this run, so a HEAD would almost surely answer 404 (a declined mount falls back to it).
   * When that transfer fails, one waiting image takes it over and the others mount from it.
   */
  private BlobOutcome ensureBlob(Job job, Descriptor blob) {
    ImageSink sink = job.sink();
    Optional<String> registry = sink.registry();
    String landedKey = registry.map(r -> r + "|" + blob.digest()).orElse(null);
    CompletableFuture<Landing> first = null;
    CompletableFuture<Landing> mine = null;
    Landing elsewhere = null;
    // When the image that moves the blob into the registry fails, one waiting image takes that over
    // with its own source, and the others wait for it; after a second failure each moves it itself.
    for (int round = 0; landedKey != null && round < 2; round++) {
      mine = new CompletableFuture<>();
      first = landed.putIfAbsent(landedKey, mine);
      if (first == null) {
        break; // this image moves it
      }
      CompletableFuture<Landing> other = first;
      Optional<Landing> landing = whileWaiting(blob, () -> outcome(other));
      if (landing.isPresent()) {
        // in this sink's own repository: nothing to mount, the HEAD below finds it
        elsewhere = landing.get().repository().equals(sink.repository().orElseThrow()) ? null : landing.get();
        break;
      }
    }
    try {
      if (elsewhere != null && elsewhere.arrived() && sink.mountBlob(blob, elsewhere.repository())) {
        return BlobOutcome.MOUNTED;
      }
      Optional<String> sourceRepository = first == null && registry.isPresent()
          ? job.source().repositoryIn(registry.get()) : Optional.empty();
      boolean askWhileUploading = blob.size() <= ASK_WHILE_UPLOADING
          && elsewhere == null && sourceRepository.isEmpty();
      if (!askWhileUploading && sink.hasBlob(blob)) {
        complete(mine, first, sink, false);
        return BlobOutcome.SKIPPED;
      }
      if (elsewhere != null && !elsewhere.arrived() && sink.mountBlob(blob, elsewhere.repository())) {
        return BlobOutcome.MOUNTED;
      }
      if (sourceRepository.isPresent() && sink.mountBlob(blob, sourceRepository.get())) {
        complete(mine, null, sink, true);
        return BlobOutcome.MOUNTED;
      }
      if (!stream(job, blob, askWhileUploading)) {
        complete(mine, first, sink, false);
        return BlobOutcome.SKIPPED;
      }
      complete(mine, first, sink, true);
      return BlobOutcome.COPIED;
    } catch (RuntimeException e) {
      if (mine != null && first == null) {
        landed.remove(landedKey, mine);
        mine.completeExceptionally(e);
      }
      throw e;
    }
  }

  /** Images waiting now for another image's transfer of this blob: the urgency of that transfer. */
  int waitingFor(Digest digest) {
    AtomicInteger count = waiting.get(digest);
    return count == null ? 0 : count.get();
  }

  /** Runs {@code wait} counted as one more image waiting for {@code blob}: its transfer gets the next free permit. */
  private <T> T whileWaiting(Descriptor blob, Supplier<T> wait) {
    AtomicInteger count = waiting.computeIfAbsent(blob.digest(), d -> new AtomicInteger());
    count.incrementAndGet();
    try {
      return wait.get();
    } finally {
      count.decrementAndGet();
    }
  }

  /** Where the first transfer of a blob into a registry landed it; empty when it failed. */
  private static Optional<Landing> outcome(CompletableFuture<Landing> first) {
    try {
      return Optional.of(first.join());
    } catch (CompletionException failed) {
      return Optional.empty();
    }
  }

  private static void complete(CompletableFuture<Landing> mine, CompletableFuture<Landing> first,
      ImageSink sink, boolean arrived) {
    if (mine != null && first == null) {
      mine.complete(new Landing(sink.repository().orElseThrow(), arrived));
    }
  }

  /**
   * Streams a blob from the source into the sink, hashed on the way unless the sink checks the
   * digest itself (see {@link BlobHashing}). The sink is asked before the transfer takes its
   * permits, so a registry's first answer (a probe upload) does not hold up other transfers' slots.
   * A blob that such a sink refuses ({@code DIGEST_INVALID}) is streamed once more, hashed: a
   * damaged source then fails with both digests named, by the client, before the upload completes;
   * a blob damaged on the way only the first time arrives.
   */
  private boolean stream(Job job, Descriptor blob, boolean unlessPresent) {
    boolean sinkChecks = hashing == BlobHashing.AUTO && job.sink().checksDigests();
    try {
      boolean written = stream(job, blob, !sinkChecks, unlessPresent);
      if (written && sinkChecks) {
        job.tally().hashedByDestination.incrementAndGet();
      }
      return written;
    } catch (RegistryException e) {
      if (!sinkChecks || e.errorCode().filter("DIGEST_INVALID"::equals).isEmpty()) {
        throw e;
      }
      log.warn("{} refused blob {} read from {} (DIGEST_INVALID); reading it again and hashing it",
          job.sink().location(), blob.digest(), job.source().location());
      stream(job, blob, true, false);
      return true;
    }
  }

  /** Streams the blob (unless {@code unlessPresent} and the sink has it); false when the sink had it. */
  private boolean stream(Job job, Descriptor blob, boolean hash, boolean unlessPresent) {
    return limits.transfer(job.source().limitKey(), job.sink().limitKey(), () -> waitingFor(blob.digest()), () -> {
      Supplier<InputStream> content = () -> {
        listener.blobStarted(job.request(), blob);
        return new CountingInputStream(job.source().openBlob(blob, hash), n -> {
          job.tally().bytes.addAndGet(n);
          listener.blobProgress(job.request(), blob, n);
        });
      };
      try {
        if (unlessPresent) {
          return job.sink().putBlobUnlessPresent(blob, content);
        }
        try (InputStream in = content.get()) {
          job.sink().putBlob(blob, in);
        }
        return true;
      } catch (IOException e) {
        throw new UncheckedIOException("copy blob " + blob.digest() + " from " + job.source().location()
            + " to " + job.sink().location() + ": " + e.getMessage(), e);
      }
    });
  }

  /** Runs {@code action} for every item on virtual threads; waits for all; rethrows the first failure. */
  <T> void inParallel(List<T> items, Consumer<T> action) {
    if (items.size() == 1) {
      action.accept(items.get(0));
      return;
    }
    List<Future<?>> futures = new ArrayList<>();
    for (T item : items) {
      futures.add(executor.submit(() -> action.accept(item)));
    }
    RuntimeException failure = null;
    for (Future<?> future : futures) {
      try {
        future.get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = unwrap(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CopyException("interrupted while copying", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw unwrap(e.getCause());
    }
  }

  static RuntimeException unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return switch (t) {
      case RuntimeException r -> r;
      case IOException io -> new UncheckedIOException(io);
      case Error error -> throw error;
      default -> new CopyException(t.getMessage(), t);
    };
  }
}
