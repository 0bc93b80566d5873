package dev.holdfast.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import dev.holdfast.oci.http.HttpTransport;
import dev.holdfast.oci.http.ProxyException;
import dev.holdfast.oci.http.Proxies;
import java.net.ConnectException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@link Call} and turns the outcome into a {@link Response} or a typed {@link
 * RegistryException}. The layers, outermost first: retry with backoff (connection errors, 408, 429,
 * 5xx, honouring {@code Retry-After}); the per-registry concurrency limit; the registry's own wait
 * (after a 429 or 503 with {@code Retry-After}, no request goes to it before the wait is over, see
 * {@link RetryAfterHolds}); authentication (one
 * retry on 401 with fresh credentials); redirects (GET/HEAD, at most {@value #MAX_REDIRECTS} hops,
 * {@code Authorization} only to the registry's own host); user agent.
 */
final class RegistryCaller {

  static final int MAX_REDIRECTS = 10;
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(RegistryCaller.class);
  private static final int MAX_ERROR_BODY = 64 * 1024;
  /** The wait before trying again a connection that a local address refused. */
  static final Duration LOCAL_REFUSAL_DELAY = Duration.ofMillis(50);

  private final ConcurrentHashMap<String, ReentrantLock> probeLocks = new ConcurrentHashMap<>();
  private final RegistryEndpoints endpoints;
  private final ConcurrencyLimiter limiter;
  private final RetryPolicy retry;
  private final RetryAfterHolds holds;
  private final RetryPolicy.Sleeper sleeper;
  private final Clock clock;
  private final DoubleSupplier random;
  private final String userAgent;
  private final Duration readTimeout;
  final Authenticator authenticator;
  final HttpTransport transport;

  RegistryCaller(RegistryEndpoints endpoints, ConcurrencyLimiter limiter, RetryPolicy retry,
      RetryAfterHolds holds, RetryPolicy.Sleeper sleeper, Clock clock, String userAgent, Duration readTimeout,
      dev.holdfast.oci.auth.CredentialProvider credentials, Proxies proxies) {
    this.endpoints = endpoints;
    this.limiter = limiter;
    this.retry = retry;
    this.holds = holds;
    this.sleeper = sleeper;
    this.clock = clock;
    this.random = () -> ThreadLocalRandom.current().nextDouble();
    this.userAgent = userAgent;
    this.readTimeout = readTimeout;
    this.authenticator = new Authenticator(credentials, clock, new TokenFetcher(this, endpoints));
    this.transport = new HttpTransport(endpoints.connectTimeout(), readTimeout, proxies);
  }

  /** Sends the call, authenticated, with retries; the response's status is one the call expects. */
  Response send(Call call) {
    return send(call, true);
  }

  /** Sends without registry authentication (token server requests carry their own). */
  Response sendUnauthenticated(Call call) {
    return send(call, false);
  }

  /** See {@link RegistryClient#close()}. */
  void close() {
    transport.close();
  }

  private Response send(Call call, boolean authenticate) {
    if (transport.isClosed()) {
      throw new IllegalStateException("the registry client is closed");
    }
    boolean authRetried = false;
    Instant waitedOut = null; // the end of a registry's wait this call has already slept through
    for (int attempt = 1; ; attempt++) {
      Optional<Duration> retryAfter = Optional.empty();
      Optional<Instant> heldUntil = Optional.empty();
      RegistryException failure;
      boolean refusedLocally = false;
      try {
        URI base = base(call);
        Optional<String> authorization =
            authenticate ? authenticator.authorization(call.registry, call.scopes) : Optional.empty();
        Response response = exchange(call, resolve(base, call.target), base, authorization, waitedOut);
        if (call.expected.contains(response.status)) {
          return response;
        }
        retryAfter = response.header("Retry-After")
            .flatMap(value -> RetryPolicy.parseRetryAfter(value, clock.instant()));
        // held before the body is read: the permit is still ours, so no call of this client can
        // slip a request in between the answer and the hold
        heldUntil = holdFor(call.registry, response.status, response.uri, base, retryAfter);
        byte[] body = readErrorBody(response);
        // a 401 from a redirect target (storage) says nothing about the registry's auth
        if (response.status == 401 && authenticate && !authRetried && call.replayable
            && sameOrigin(response.uri, base)
            && authenticator.onUnauthorized(call.registry, call.scopes,
                response.headers("WWW-Authenticate"), authorization)) {
          authRetried = true;
          attempt--; // an auth round trip is not a failed attempt
          continue;
        }
        failure = ErrorResponse.parse(body).toException(call.registry, call.action, response.status, body,
            retryAfter.orElse(null), response.status == 401 && authenticate ? unauthorizedHint(call) : null);
        if (!RetryPolicy.isRetryableStatus(response.status)) {
          throw failure;
        }
      } catch (IOException e) {
        failure = connectionFailure(call, e);
        if (!(failure instanceof TlsException) && e instanceof java.net.SocketException
            && refusesWithoutClientCertificate(call.registry)) {
          failure = new TlsException(call.registry, call.action, TlsFailures.CLIENT_CERTIFICATE_WANTED
              + call.registry + " (--certs-d)", e);
        }
        if (failure instanceof TlsException || e instanceof ProxyException) {
          throw failure; // trying again cannot help
        }
        refusedLocally = e instanceof ConnectException && LocalAddresses.isLocal(call.registry);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryUnavailableException(call.registry, call.action, 0, null, "interrupted", e);
      }
      if (!call.replayable) {
        throw failure;
      }
      Optional<Duration> delay = retry.delayAfter(attempt, retryAfter, random.getAsDouble());
      if (delay.isEmpty()) {
        throw failure;
      }
      if (refusedLocally && delay.get().compareTo(LOCAL_REFUSAL_DELAY) > 0) {
        // nothing listens on this machine's own address: no remote hiccup to wait out, only a
        // registry that may be starting; the attempts left go at short intervals and fail fast
        delay = Optional.of(LOCAL_REFUSAL_DELAY);
      }
      log.debug("{}: attempt {} failed ({}); retrying in {} ms", call.action, attempt,
          failure.getMessage(), delay.get().toMillis());
      try {
        sleeper.sleep(delay.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failure;
      }
      waitedOut = retryAfter.isPresent() ? heldUntil.orElse(null) : null;
    }
  }

  /**
   * After an answer from the registry itself: a 429 or 503 with {@code Retry-After} holds the
   * registry for that long (see {@link RetryAfterHolds}); the end of the hold, if any.
   */
  private Optional<Instant> holdFor(String registry, int status, URI answeredBy, URI base,
      Optional<Duration> retryAfter) {
    if ((status != 429 && status != 503) || retryAfter.isEmpty() || !sameOrigin(answeredBy, base)) {
      return Optional.empty();
    }
    Instant end = holds.hold(registry, clock.instant(), retryAfter.get());
    log.debug("{} asked to wait {} ms (HTTP {}, Retry-After): no request goes there before {}", registry,
        retryAfter.get().toMillis(), status, end);
    return Optional.of(end);
  }

  /**
   * Waits until the registry's hold (if any) is over; {@code waitedOut} is a hold's end the caller
   * already slept through. A hold longer than the retry policy's {@code maxRetryAfter} fails at once
   * instead. Interruptible.
   */
  private void awaitHold(String registry, String action, Instant waitedOut) throws InterruptedException {
    Instant slept = waitedOut;
    while (true) {
      Instant now = clock.instant();
      Optional<Instant> until = holds.heldUntil(registry, now);
      if (until.isEmpty() || until.get().equals(slept)) {
        return;
      }
      Duration remaining = Duration.between(now, until.get());
      if (remaining.compareTo(retry.maxRetryAfter()) > 0) {
        throw new TooManyRequestsException(registry, action, "the registry asked to wait until " + until.get()
            + " (Retry-After); nothing is sent to it before", remaining);
      }
      log.debug("{}: {} asked to wait; waiting {} ms", action, registry, remaining.toMillis());
      sleeper.sleep(remaining);
      slept = until.get();
    }
  }

  /** One request, following redirects; the returned response holds a concurrency permit. */
  private Response exchange(Call call, URI uri, URI base, Optional<String> authorization, Instant waitedOut)
      throws IOException, InterruptedException {
    URI current = uri;
    for (int hop = 0; ; hop++) {
      // the call's own headers go to its target's origin; the registry's credentials only to the
      // registry; neither follows a redirect to another host (blob storage, a CDN)
      boolean toOrigin = sameOrigin(current, uri);
      boolean toRegistry = toOrigin && sameOrigin(current, base);
      Response response = sendOne(call, current, base, toOrigin, toRegistry, authorization, waitedOut);
      Optional<String> location = response.header("Location");
      if (!call.followsRedirects() || !isRedirect(response.status) || location.isEmpty()) {
        return response;
      }
      response.drain();
      response.close();
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryException(call.registry, call.action, response.status, null,
            "more than " + MAX_REDIRECTS + " redirects", null);
      }
      current = current.resolve(location.get().trim());
      log.debug("{}: redirected to {}://{}", call.action, current.getScheme(), current.getHost());
    }
  }

  /**
   * One hop: the call's own headers go to its target's origin, the registry's credentials only to
   * the registry.
   */
  private Response sendOne(Call call, URI current, URI base, boolean toOrigin,
      boolean toRegistry, Optional<String> authorization, Instant waitedOut)
      throws IOException, InterruptedException {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    headers.add(Map.entry("User-Agent", userAgent));
    call.headers.forEach((name, value) -> {
      if (toOrigin || !name.equalsIgnoreCase("Authorization")) {
        headers.add(Map.entry(name, value));
      }
    });
    if (toRegistry) {
      authorization.ifPresent(value -> headers.add(Map.entry("Authorization", value)));
    }
    SSLContext tls = !current.getScheme().equalsIgnoreCase("https") ? null
        : sameOrigin(current, base) ? endpoints.sslContext(call.registry)
        : endpoints.sslContextFor(current);
    ConcurrencyLimiter.Permit permit = limiter.acquire(call.registry);
    try {
      if (sameOrigin(current, base)) {
        awaitHold(call.registry, call.action, waitedOut); // with the permit: see holdFor
      }
      HttpTransport.Reply reply = transport.send(new HttpTransport.Request(call.method, current,
          headers, tls, call.body, call.bodyLength));
      return new Response(reply.status(), reply.headers(), current, reply.body(), permit);
    } catch (IOException | InterruptedException | RuntimeException e) {
      permit.release();
      throw e;
    }
  }

  /** The scheme and host for the call's registry, deciding HTTPS or HTTP once (see endpoints). */
  private URI base(Call call) throws IOException, InterruptedException {
    URI known = endpoints.knownBase(call.registry);
    if (known != null) {
      return known;
    }
    // One probe per registry: calls that start together (a sync of many images) wait for the first
    // one's answer instead of each probing. A lock, not synchronized: callers are virtual threads.
    ReentrantLock lock = probeLocks.computeIfAbsent(call.registry, r -> new ReentrantLock());
    lock.lockInterruptibly();
    try {
      known = endpoints.knownBase(call.registry);
      return known != null ? known : probe(call.registry, call.action);
    } finally {
      lock.unlock();
    }
  }

  /** The public ping: {@code GET /v2/} must answer 200 or 401 (the registry then wants credentials). */
  void ping(String registry) {
    Call call = Call.of(registry, "ping " + registry, "GET", "/v2/").expect(200, 401);
    try (Response response = sendUnauthenticated(call)) {
      if (response.status == 401) {
        authenticator.learn(registry, response.headers("WWW-Authenticate"));
      }
      response.drain();
    }
  }

  /**
   * {@code GET /v2/} without credentials: decides the scheme (see {@link RegistryEndpoints}) and
   * learns the authentication challenge.
   *
   * <p>Loopback registries are tried over plain HTTP first: nothing leaves the machine, the probe
   * carries no credentials, and a TLS registry answers a plain request at once (Go's server with
   * 400), whereas some plain servers never answer a TLS ClientHello. Registries configured
   * insecure are tried over HTTPS first, as Docker does, with a short timeout.
   */
  URI probe(String registry, String action) throws IOException, InterruptedException {
    URI https = endpoints.httpsBase(registry);
    if (!endpoints.mayUsePlainHttp(registry)) {
      ping(registry, https, readTimeout);
      endpoints.remember(registry, https);
      return https;
    }
    URI http = endpoints.httpBase(registry);
    boolean loopback = RegistryEndpoints.isLoopback(registry);
    IOException httpsFailure = null;
    if (!loopback) {
      try {
        ping(registry, https, PROBE_TIMEOUT);
        endpoints.remember(registry, https);
        return https;
      } catch (ConnectException | ProxyException unreachable) {
        throw unreachable;
      } catch (IOException e) {
        httpsFailure = e;
      }
    }
    try {
      int status = ping(registry, http, readTimeout);
      if (status != 400) { // 400: a TLS server telling a plain client off
        endpoints.remember(registry, http);
        log.debug("{}: {} is served over plain HTTP", action, registry);
        return http;
      }
    } catch (ConnectException | ProxyException unreachable) {
      throw unreachable;
    } catch (IOException plainFailed) {
      if (httpsFailure != null) {
        httpsFailure.addSuppressed(plainFailed);
        throw httpsFailure;
      }
    }
    if (httpsFailure != null) {
      throw httpsFailure;
    }
    ping(registry, https, readTimeout);
    endpoints.remember(registry, https);
    return https;
  }

  /**
   * One unauthenticated {@code GET /v2/} to {@code base}; its status. A registry served over plain
   * HTTP never builds a TLS context, and the probe's connection is kept for the calls that follow.
   */
  private int ping(String registry, URI base, Duration timeout) throws IOException, InterruptedException {
    URI uri = base.resolve("/v2/");
    ConcurrencyLimiter.Permit permit = limiter.acquire(registry);
    int status;
    List<String> challenges;
    try {
      awaitHold(registry, "ping " + registry, null);
      SSLContext tls = uri.getScheme().equalsIgnoreCase("https") ? endpoints.sslContext(registry) : null;
      HttpTransport.Reply reply = transport.send(new HttpTransport.Request("GET", uri,
          List.of(Map.entry("User-Agent", userAgent)), tls, null, -1, timeout));
      try (InputStream body = reply.body()) {
        body.readNBytes(MAX_ERROR_BODY); // read to its end, the connection goes back to the pool
      }
      status = reply.status();
      challenges = reply.headers().allValues("WWW-Authenticate");
      holdFor(registry, status, uri, uri, reply.headers().firstValue("Retry-After")
          .flatMap(value -> RetryPolicy.parseRetryAfter(value, clock.instant())));
    } finally {
      permit.release();
    }
    if (status == 401) {
      authenticator.learn(registry, challenges);
    }
    return status;
  }

  /** What a 401 means for the caller: no credentials for the registry, or refused ones. */
  private String unauthorizedHint(Call call) {
    if (authenticator.hasCredential(call.registry, call.scopes)) {
      return "the registry refused the credentials configured for " + call.registry;
    }
    return "no credentials are configured for " + call.registry
        + ": give them in an --authfile, or log in with podman login or docker login";
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** Same scheme, host and port: the only place credentials may go. */
  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
        && effectivePort(a) == effectivePort(b);
  }

  private static int effectivePort(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  static URI resolve(URI base, String target) {
    return target.startsWith("http://") || target.startsWith("https://")
        ? URI.create(target) : base.resolve(target);
  }

  private static byte[] readErrorBody(Response response) {
    try (response) {
      byte[] body = response.readAtMost(MAX_ERROR_BODY);
      return body == null ? new byte[0] : body;
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /**
   * After an HTTPS connection broke at once (reset, broken pipe): whether the registry refuses
   * connections that come without a client certificate. With TLS 1.3 a server says so in an alert
   * after the client's side of the handshake is done, and a request written meanwhile fails with a
   * broken pipe that hides the alert; a fresh connection that writes, then reads, gets the alert.
   * Asked only after such a failure.
   */
  private boolean refusesWithoutClientCertificate(String registry) {
    URI base = endpoints.knownBase(registry);
    if (base != null && !base.getScheme().equalsIgnoreCase("https")) {
      return false;
    }
    URI https = base != null ? base : endpoints.httpsBase(registry);
    try {
      return TlsFailures.refusesWithoutClientCertificate(endpoints.sslContext(registry), https.getHost(),
          https.getPort() < 0 ? 443 : https.getPort(), PROBE_TIMEOUT);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private RegistryException connectionFailure(Call call, IOException e) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof RegistryException fromBody) {
        return fromBody; // e.g. the digest check of a stream being uploaded
      }
    }
    Optional<String> tls = TlsFailures.describe(e, call.registry);
    if (tls.isPresent()) {
      return new TlsException(call.registry, call.action, tls.get(), e);
    }
    if (e instanceof ProxyException) {
      return new RegistryUnavailableException(call.registry, call.action, 0, null, e.getMessage(), e);
    }
    String what = e instanceof ConnectException ? "cannot connect"
        : e instanceof java.net.UnknownHostException ? "unknown host (the name does not resolve)"
        : e instanceof java.net.SocketTimeoutException ? "timed out" : "connection failed";
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new RegistryUnavailableException(call.registry, call.action, 0, null,
        what + ": " + message, e);
  }
}
