package dev.holdfast.oci.copy;

import dev.holdfast.oci.layout.OciLayout;
import dev.holdfast.oci.registry.RegistryClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Copies images between registries and OCI layouts, by digest, streaming every blob from source to
 * destination without staging it.
 *
 * <p>The engine is the only owner of threads in the copy path: every image and every blob runs on
 * its own virtual thread, and at most {@code sourceConcurrency} blob transfers read from one source
 * (registry or layout) and {@code destinationConcurrency} write to one destination at a time. Within
 * one engine, a blob shared by several images crosses the network once: it is streamed into the
 * first repository that needs it and mounted into the others of the same registry. Order: blobs,
 * then child manifests, then the index, then the tag, so a tag never points at an incomplete image.
 * Every blob is checked against its digest before anything refers to it: hashed by the engine, or
 * by a destination registry that checks uploads ({@link BlobHashing}).
 *
 * <p>A transfer holds a client permit of the source registry (its open stream) while it pushes to
 * the destination. When one engine copies in both directions between two registries at once, give
 * the {@link RegistryClient} a per-registry concurrency of at least {@code sourceConcurrency +
 * destinationConcurrency}, so the client's own limits cannot make the two directions wait on each
 * other. Copies towards one destination (what {@code copy} and {@code sync} do) need nothing.
 * Thread-safe; one engine can serve several {@link #copyAll} calls, and shares deduplication
 * between them. Failures are reported per image in {@link CopyResult.Failed}; the others go on.
 */
public final class CopyEngine implements AutoCloseable {
  /** Default blob transfers in flight per source registry or layout. */
  public static final int DEFAULT_SOURCE_CONCURRENCY = 8;
  /** Default blob transfers in flight per destination registry or layout. */
  public static final int DEFAULT_DESTINATION_CONCURRENCY = 8;

  private final RegistryClient client;
  private final ProgressListener listener;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<Path, OciLayout> layouts = new ConcurrentHashMap<>();
  private final ImageCopier copier;

  private CopyEngine(Builder builder) {
    this.client = builder.client;
    this.listener = builder.listener;
    Transfers transfers = new Transfers(new Limits(builder.sourceConcurrency, builder.destinationConcurrency),
        builder.hashing, listener, executor);
    this.copier = new ImageCopier(transfers, this::source, this::sink);
  }

  /** A builder for an engine that reaches registries through {@code client}. */
  public static Builder builder(RegistryClient client) {
    return new Builder(client);
  }

  /** Copies one image. */
  public CopyResult copy(CopyRequest request) {
    listener.imageStarted(request);
    CopyResult result = copier.copy(request);
    listener.imageDone(result);
    return result;
  }

  /** Copies images in parallel; the results are in the order of the requests. */
  public List<CopyResult> copyAll(List<CopyRequest> requests) {
    List<Future<CopyResult>> futures = new ArrayList<>();
    for (CopyRequest request : requests) {
      futures.add(executor.submit(() -> copy(request)));
    }
    List<CopyResult> results = new ArrayList<>();
    for (Future<CopyResult> future : futures) {
      try {
        results.add(future.get());
      } catch (ExecutionException e) {
        throw Transfers.unwrap(e.getCause()); // copy() reports failures as results; this is a bug
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CopyException("interrupted while copying", e);
      }
    }
    return results;
  }

  private ImageSource source(ImageLocation location) {
    return switch (location) {
      case ImageLocation.Layout layout ->
          new LayoutEndpoint(layouts.computeIfAbsent(key(layout), d -> OciLayout.open(d)), layout.name());
      case ImageLocation.Registry registry -> new RegistryEndpoint(client, registry.reference());
    };
  }

  private ImageSink sink(ImageLocation location) {
    return switch (location) {
      case ImageLocation.Layout layout -> new LayoutEndpoint(
          layouts.compute(key(layout), (dir, opened) ->
              opened != null && OciLayout.exists(dir) ? opened : OciLayout.openOrCreate(dir)),
          layout.name());
      case ImageLocation.Registry registry -> new RegistryEndpoint(client, registry.reference());
    };
  }

  private static Path key(ImageLocation.Layout layout) {
    return layout.directory().toAbsolutePath().normalize();
  }

  /** Stops the engine's threads; copies in progress fail. */
  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** Configures a {@link CopyEngine}. */
  public static final class Builder {
    private final RegistryClient client;
    private ProgressListener listener = ProgressListener.NONE;
    private int sourceConcurrency = DEFAULT_SOURCE_CONCURRENCY;
    private int destinationConcurrency = DEFAULT_DESTINATION_CONCURRENCY;
    private BlobHashing hashing = BlobHashing.AUTO;

    private Builder(RegistryClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** Hears progress (default: nobody). */
    public Builder listener(ProgressListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Blob transfers in flight per source registry or layout (default {@value CopyEngine#DEFAULT_SOURCE_CONCURRENCY}). */
    public Builder sourceConcurrency(int limit) {
      this.sourceConcurrency = limit;
      return this;
    }

    /** Blob transfers in flight per destination (default {@value CopyEngine#DEFAULT_DESTINATION_CONCURRENCY}). */
    public Builder destinationConcurrency(int limit) {
      this.destinationConcurrency = limit;
      return this;
    }

    /** Who hashes the blobs streamed into a registry (default {@link BlobHashing#AUTO}). */
    public Builder blobHashing(BlobHashing hashing) {
      this.hashing = Objects.requireNonNull(hashing, "hashing");
      return this;
    }

    /** Builds the engine. */
    public CopyEngine build() {
      return new CopyEngine(this);
    }
  }
}
