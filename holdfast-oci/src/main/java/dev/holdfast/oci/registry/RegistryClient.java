package dev.holdfast.oci.registry;

import dev.holdfast.oci.auth.CredentialProvider;
import dev.holdfast.oci.http.Proxies;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.ImageIndex;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.tls.TrustConfig;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for the OCI Distribution API (Docker Registry HTTP API v2) over a blocking HTTP/1.1
 * transport with per-origin keep-alive pools and forward proxies ({@link
 * dev.holdfast.oci.http.HttpTransport}). Thread-safe; share one per process.
 *
 * <p>Arguments named {@code repository} are references whose tag and digest are ignored. Failures
 * are {@link RegistryException}s; {@link RegistryException#isRetryable()} tells whether trying
 * again later can help (the client already retried as its {@link RetryPolicy} says).
 */
public final class RegistryClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);

  private final RegistryCaller caller;
  /** registry: whether it checks the digests of uploads (one probe per registry and client). */
  private final Map<String, CompletableFuture<Boolean>> digestChecks = new ConcurrentHashMap<>();
  /** Registries that answered a mount request with an error: no more mounts there, HEAD before each upload. */
  private final Set<String> mountRefused = ConcurrentHashMap.newKeySet();

  private RegistryClient(Builder builder) {
    RegistryEndpoints endpoints = new RegistryEndpoints(builder.trust, builder.connectTimeout);
    this.caller = new RegistryCaller(endpoints, new ConcurrencyLimiter(builder.concurrency),
        builder.retryPolicy, builder.holds, builder.sleeper, builder.clock, builder.userAgent, builder.readTimeout,
        builder.credentials, builder.proxies);
  }

  /**
   * Closes the pooled connections. A blob stream still open keeps
   * working, and its connection is closed when the stream is; any other call afterwards throws
   * {@link IllegalStateException}. Call it once the client's copies are done: a long-running
   * process that replaces its client (new credentials or trust) would otherwise keep the old
   * one's idle connections until the registries drop them.
   */
  @Override
  public void close() {
    caller.close();
  }

  /** A builder with the defaults: anonymous, system trust, {@link RetryPolicy#defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks that the registry answers {@code GET /v2/} (200, or 401 when it wants credentials) and
   * decides whether it is served over HTTPS or, for loopback and insecure registries, HTTP.
   */
  void ping(String registry) {
    caller.ping(registry);
  }

  /** The manifest's descriptor (media type, digest, size), or empty when there is no such tag or digest. */
  public Optional<Descriptor> headManifest(ImageReference image) {
    return new ManifestChecker(image).run(caller);
  }

  /**
   * Pulls a manifest, at most {@link Manifest#MAX_SIZE} bytes, checked against the reference's
   * digest when it has one (else the registry's {@code Docker-Content-Digest}).
   */
  public Manifest getManifest(ImageReference image) {
    return new ManifestPuller(image).run(caller);
  }

  /**
   * Pushes a manifest with its exact bytes and media type, to the target's tag (or, without one,
   * its digest); returns the digest after checking the registry stored the same.
   */
  public Digest putManifest(ImageReference target, Manifest manifest) {
    return new ManifestPusher(target, manifest).run(caller);
  }

  /** What a manifest deletion did. */
  public enum Deletion {
    /** The registry deleted it. */
    DELETED,
    /** There was nothing to delete. */
    NOT_FOUND,
    /** The registry does not delete that way (distribution 2 deletes manifests by digest, not tags). */
    UNSUPPORTED
  }

  /**
   * Deletes {@code image}: its tag, or, named by digest, the manifest with every tag pointing to it.
   * Deleting needs the registry's permission ({@code repository:<name>:delete}; distribution:
   * {@code storage.delete.enabled}).
   */
  public Deletion deleteManifest(ImageReference image) {
    return new ManifestDeleter(image).run(caller);
  }

  /** The blob's size when the repository has it, else empty. */
  public Optional<Long> headBlob(ImageReference repository, Digest digest) {
    return new BlobChecker(repository, digest).run(caller);
  }

  /**
   * Opens a blob as a stream that is hashed while read; at its end a wrong length or digest throws
   * {@link DigestMismatchException}. Redirects (e.g. to object storage) are followed without
   * sending credentials to other hosts. Close the stream: it holds a connection and one of the
   * registry's concurrency permits.
   */
  public InputStream openBlob(ImageReference repository, Descriptor blob) {
    return new BlobPuller(repository, blob, true).run(caller);
  }

  /**
   * Like {@link #openBlob}, but the stream checks only the length, and does not hash: for a blob
   * that goes straight into a registry that checks the digest itself ({@link
   * #verifiesBlobDigests}), so that the bytes are hashed once, where they are stored.
   */
  public InputStream openBlobUnhashed(ImageReference repository, Descriptor blob) {
    return new BlobPuller(repository, blob, false).run(caller);
  }

  /**
   * Whether the registry of {@code repository} refuses an upload whose content does not match the
   * digest it is pushed under ({@code 400 DIGEST_INVALID}), as the distribution spec has it. The
   * first call per registry finds out by uploading a few random bytes under a digest they do not
   * have (to {@code repository}, which needs push access); later calls give the same answer. False
   * when the registry stores the probe, gives any other answer or cannot be asked: then the client
   * must hash what it uploads there.
   */
  public boolean verifiesBlobDigests(ImageReference repository) {
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    CompletableFuture<Boolean> known = digestChecks.putIfAbsent(repository.registry(), mine);
    if (known != null) {
      return known.join();
    }
    try {
      mine.complete(new DigestCheckProbe(repository).run(caller));
    } catch (RuntimeException e) {
      mine.complete(false);
    }
    return mine.join();
  }

  /**
   * Uploads a blob in one streamed request ({@code POST}, then {@code PUT} with the whole content
   * and its length). Reads {@code content} to its end; does not close it.
   */
  public void pushBlob(ImageReference repository, Descriptor blob, InputStream content) {
    new BlobPusher(repository, blob, content, 0).run(caller);
  }

  /**
   * Whether the repository has the blob, and when it does not, an upload session for it (its
   * location, for {@link #pushBlob(ImageReference, Descriptor, InputStream, String)} or {@link
   * #cancelUpload}): one request instead of a HEAD and a POST (see {@link BlobUploadOpener}). Empty
   * when the repository has it. A registry that cannot mount opens a session even then; one that
   * answered a mount request with an error is asked with a HEAD, then a POST.
   */
  public Optional<String> openUploadUnlessPresent(ImageReference repository, Digest digest) {
    if (!mountRefused.contains(repository.registry())) {
      try {
        return new BlobUploadOpener(repository, digest).run(caller);
      } catch (RegistryException e) {
        if (!BlobUploadOpener.refusedTheMount(e)) {
          throw e;
        }
        refusedMount(repository, e);
      }
    }
    if (headBlob(repository, digest).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(BlobPusher.start(caller, repository, BlobPusher.action(repository, digest)));
  }

  /** Uploads a blob like {@link #pushBlob(ImageReference, Descriptor, InputStream)}, into an open session. */
  public void pushBlob(ImageReference repository, Descriptor blob, InputStream content, String session) {
    new BlobPusher(repository, blob, content, 0, session).run(caller);
  }

  /** Best effort: cancels an upload session that will not be used. */
  public void cancelUpload(ImageReference repository, String session) {
    BlobPusher.cancel(caller, repository, session, "push blob " + repository.name());
  }

  /** Uploads a blob in {@code PATCH} requests of {@code chunkSize} bytes, then a closing {@code PUT}. */
  void pushBlobChunked(ImageReference repository, Descriptor blob, InputStream content, int chunkSize) {
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunk size must be positive, got " + chunkSize);
    }
    new BlobPusher(repository, blob, content, chunkSize).run(caller);
  }

  /**
   * Mounts a blob from another repository of the same registry. True when mounted; false when the
   * registry declined (the caller then uploads the blob), and from then on at once when it answered
   * a mount request with an error other than authentication, permission or rate limits.
   */
  public boolean mountBlob(ImageReference repository, Digest digest, String fromRepository) {
    if (mountRefused.contains(repository.registry())) {
      return false;
    }
    try {
      return new BlobMounter(repository, digest, fromRepository).run(caller);
    } catch (RegistryException e) {
      if (!BlobUploadOpener.refusedTheMount(e)) {
        throw e;
      }
      refusedMount(repository, e);
      return false;
    }
  }

  private void refusedMount(ImageReference repository, RegistryException e) {
    if (mountRefused.add(repository.registry())) {
      log.info("{} refused a blob mount ({}): Holdfast uploads blobs there and asks about each with HEAD first",
          repository.registry(), e.getMessage());
    }
  }

  /** All tags of the repository, following {@code Link} pagination. */
  public List<String> listTags(ImageReference repository) {
    return new TagLister(repository, 0).run(caller);
  }

  /** All tags, asking the registry for pages of {@code pageSize} (for tests of pagination). */
  List<String> listTags(ImageReference repository, int pageSize) {
    return new TagLister(repository, pageSize).run(caller);
  }

  /**
   * The manifests that refer to {@code subject} (which must have a digest), optionally only those
   * of one artifact type: the OCI 1.1 referrers API, or the {@code sha256-<hex>} tag schema where
   * the registry lacks it. Empty index when there are none.
   */
  public ImageIndex referrers(ImageReference subject, Optional<String> artifactType) {
    return new ReferrersPuller(subject, artifactType).run(caller);
  }

  /** Connections the blob transport has opened so far (for tests of connection reuse). */
  int blobConnectionsOpened() {
    return caller.transport.connectionsOpened();
  }

  /** Configures a {@link RegistryClient}. */
  public static final class Builder {
    private CredentialProvider credentials = CredentialProvider.anonymous();
    private TrustConfig trust;
    private String userAgent = "holdfast";
    private int concurrency = 8;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private RetryAfterHolds holds;
    private RetryPolicy.Sleeper sleeper = RetryPolicy.Sleeper.system();
    private Clock clock = Clock.systemUTC();
    private Duration connectTimeout = Duration.ofSeconds(30);
    private Duration readTimeout = Duration.ofMinutes(2);
    private Proxies proxies = Proxies.none();

    private Builder() {}

    /**
     * The forward proxies requests go through (default: none; {@link Proxies#fromEnvironment} for
     * what {@code HTTPS_PROXY}, {@code HTTP_PROXY} and {@code NO_PROXY} say).
     */
    public Builder proxies(Proxies proxies) {
      this.proxies = Objects.requireNonNull(proxies, "proxies");
      return this;
    }

    /** Where credentials come from (default: anonymous). */
    public Builder credentials(CredentialProvider credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** Which certificates to trust and which registries are insecure (default: system roots). */
    public Builder trust(TrustConfig trust) {
      this.trust = Objects.requireNonNull(trust, "trust");
      return this;
    }

    /** The {@code User-Agent} header (default {@code holdfast}). */
    public Builder userAgent(String userAgent) {
      this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
      return this;
    }

    /** Most requests in flight per registry, open blob streams included (default 8). */
    public Builder concurrencyPerRegistry(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("concurrency per registry must be >= 1, got " + limit);
      }
      this.concurrency = limit;
      return this;
    }

    /** When to retry (default {@link RetryPolicy#defaults()}). */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * The registries' waits ({@code Retry-After}) this client keeps to (default: its own). Clients
     * that share one keep to each other's: none sends to a registry that asked any of them to wait.
     */
    public Builder retryAfterHolds(RetryAfterHolds holds) {
      this.holds = Objects.requireNonNull(holds, "holds");
      return this;
    }

    /** How to wait between attempts (default {@link Thread#sleep}); tests record instead. */
    public Builder sleeper(RetryPolicy.Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** The clock for token expiry and {@code Retry-After} dates (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Time allowed to open a connection (default 30 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * Time allowed until a response's headers arrive (default 2 min), and between two reads of a
     * blob download. A blob upload's answer gets this long after the last byte was sent.
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = positive(timeout, "readTimeout");
      return this;
    }

    private static Duration positive(Duration value, String name) {
      if (value == null || value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
      return value;
    }

    public RegistryClient build() {
      if (trust == null) {
        trust = TrustConfig.systemDefault();
      }
      if (holds == null) {
        holds = RetryAfterHolds.create();
      }
      return new RegistryClient(this);
    }
  }
}
