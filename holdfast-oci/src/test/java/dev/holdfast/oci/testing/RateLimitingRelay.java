package dev.holdfast.oci.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A rate-limiting front for a real registry served over plain HTTP: it forwards every request, and
 * while a storm is on it answers some of them itself with {@code 429 TOOMANYREQUESTS} and a {@code
 * Retry-After} (delay-seconds or an HTTP-date). It logs every request it received, when it arrived,
 * and what it answered, so that a test can check from the registry's side that a client waited as it
 * was told ({@link #earlyRequests()}).
 */
public final class RateLimitingRelay implements AutoCloseable {

  /** The two forms of {@code Retry-After} (RFC 9110, section 10.2.3). */
  public enum Form { SECONDS, HTTP_DATE }

  /**
   * A request the relay received.
   *
   * @param arrivedNanos {@link System#nanoTime()} when it arrived
   * @param arrived the wall clock when it arrived
   * @param answeredNanos {@link System#nanoTime()} just before the answer's headers were sent
   * @param retryAfter the {@code Retry-After} sent with a 429
   * @param waitUntilNanos for a 429: the earliest {@code nanoTime} a client may send again (delay form)
   * @param waitUntil for a 429: the earliest wall-clock instant a client may send again (both forms)
   */
  public record Exchange(long sequence, long arrivedNanos, Instant arrived, String method, String path, int status,
      long answeredNanos, Optional<String> retryAfter, long waitUntilNanos, Optional<Instant> waitUntil) {
    public boolean rateLimited() {
      return status == 429;
    }

    public boolean isManifestRequest() {
      return path.contains("/manifests/");
    }
  }

  private static final Set<String> HOP_HEADERS =
      Set.of("host", "content-length", "connection", "transfer-encoding", "expect", "upgrade", "date");

  private final URI upstream;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
  private final List<Exchange> log = new CopyOnWriteArrayList<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong stormCount = new AtomicLong();
  private volatile int every; // 0: no storm
  private volatile int seconds;
  private volatile Form form = Form.SECONDS;

  /** Starts the relay on a free loopback port, forwarding to {@code upstream} ({@code http://host:port}). */
  public RateLimitingRelay(URI upstream) {
    this.upstream = upstream;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** {@code 127.0.0.1:PORT}: the registry name clients use. */
  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Starts a storm: from now on every {@code every}-th request (1: all of them) is answered 429 with
   * {@code Retry-After} of {@code seconds}, in the given form. An HTTP-date names a whole second, at
   * least {@code seconds} from now.
   */
  public void storm(int every, int seconds, Form form) {
    if (every < 1 || seconds < 0) {
      throw new IllegalArgumentException("every >= 1 and seconds >= 0, got " + every + ", " + seconds);
    }
    this.seconds = seconds;
    this.form = form;
    this.stormCount.set(0);
    this.every = every;
  }

  /** Ends the storm: every request is forwarded. */
  public void calm() {
    every = 0;
  }

  /** Every request received so far, in the order they arrived. */
  public List<Exchange> exchanges() {
    List<Exchange> sorted = new ArrayList<>(log);
    sorted.sort((a, b) -> Long.compare(a.arrivedNanos(), b.arrivedNanos()));
    return sorted;
  }

  /** The 429s sent so far. */
  public List<Exchange> rateLimited() {
    return exchanges().stream().filter(Exchange::rateLimited).toList();
  }

  public void clear() {
    log.clear();
  }

  /**
   * The requests that arrived after a 429 had been answered and before its {@code Retry-After} was
   * over, each with the 429 it broke ({@code "GET /v2/... 412 ms after 429 #7 (Retry-After: 2)"}).
   * Empty when every client waited as told.
   */
  public List<String> earlyRequests() {
    List<Exchange> all = exchanges();
    List<String> early = new ArrayList<>();
    for (Exchange limit : all) {
      if (!limit.rateLimited()) {
        continue;
      }
      for (Exchange next : all) {
        if (next.arrivedNanos() <= limit.answeredNanos()) {
          continue;
        }
        boolean tooEarly = limit.waitUntil().isPresent() && form(limit) == Form.HTTP_DATE
            ? next.arrived().isBefore(limit.waitUntil().get())
            : next.arrivedNanos() < limit.waitUntilNanos();
        if (tooEarly) {
          early.add(next.method() + " " + next.path() + " arrived "
              + Duration.ofNanos(next.arrivedNanos() - limit.answeredNanos()).toMillis() + " ms after 429 #"
              + limit.sequence() + " (Retry-After: " + limit.retryAfter().orElse("") + ")");
        }
      }
    }
    return early;
  }

  /**
   * For each 429, how long after it the next request arrived (empty for the last ones, when no
   * request followed).
   */
  public List<Optional<Duration>> gapsAfterRateLimits() {
    List<Exchange> all = exchanges();
    List<Optional<Duration>> gaps = new ArrayList<>();
    for (Exchange limit : all) {
      if (limit.rateLimited()) {
        gaps.add(all.stream().filter(next -> next.arrivedNanos() > limit.answeredNanos()).findFirst()
            .map(next -> Duration.ofNanos(next.arrivedNanos() - limit.answeredNanos())));
      }
    }
    return gaps;
  }

  private static Form form(Exchange limit) {
    return limit.retryAfter().map(v -> v.chars().allMatch(Character::isDigit)).orElse(true)
        ? Form.SECONDS : Form.HTTP_DATE;
  }

  private void handle(HttpExchange exchange) throws IOException {
    long arrivedNanos = System.nanoTime();
    Instant arrived = Instant.now();
    long number = sequence.incrementAndGet();
    try (exchange) {
      String method = exchange.getRequestMethod();
      String pathAndQuery = exchange.getRequestURI().getRawPath()
          + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
      byte[] requestBody = exchange.getRequestBody().readAllBytes();
      int storm = every;
      if (storm > 0 && stormCount.incrementAndGet() % storm == 0) {
        rateLimit(exchange, number, arrivedNanos, arrived, method, pathAndQuery);
        return;
      }
      HttpRequest.Builder forward = HttpRequest.newBuilder(upstream.resolve(pathAndQuery))
          .method(method, requestBody.length == 0 && !method.equals("PUT") && !method.equals("PATCH")
              ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(requestBody));
      exchange.getRequestHeaders().forEach((name, values) -> {
        if (!HOP_HEADERS.contains(name.toLowerCase())) {
          values.forEach(v -> forward.header(name, v));
        }
      });
      HttpResponse<byte[]> response;
      try {
        response = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      response.headers().map().forEach((name, values) -> {
        if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
          values.forEach(v -> exchange.getResponseHeaders().add(name, name.equalsIgnoreCase("Location")
              ? v.replace(upstream.getAuthority(), hostPort()) : v));
        }
      });
      byte[] body = response.body();
      boolean head = method.equals("HEAD");
      if (head) {
        response.headers().firstValue("Content-Length")
            .ifPresent(length -> exchange.getResponseHeaders().set("Content-Length", length));
      }
      long answered = System.nanoTime();
      log.add(new Exchange(number, arrivedNanos, arrived, method, pathAndQuery, response.statusCode(), answered,
          Optional.empty(), 0, Optional.empty()));
      send(exchange, response.statusCode(), body, head);
    }
  }

  private void rateLimit(HttpExchange exchange, long number, long arrivedNanos, Instant arrived, String method,
      String path) throws IOException {
    int wait = seconds;
    long answered = System.nanoTime();
    Instant now = Instant.now();
    String value;
    Instant until;
    if (form == Form.HTTP_DATE) {
      until = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(wait + 1L);
      value = DateTimeFormatter.RFC_1123_DATE_TIME.format(until.atOffset(ZoneOffset.UTC));
    } else {
      until = now.plusSeconds(wait);
      value = Integer.toString(wait);
    }
    log.add(new Exchange(number, arrivedNanos, arrived, method, path, 429, answered, Optional.of(value),
        answered + Duration.ofSeconds(wait).toNanos(), Optional.of(until)));
    exchange.getResponseHeaders().add("Retry-After", value);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    send(exchange, 429, ("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"rate limited by the relay\"}]}")
        .getBytes(StandardCharsets.UTF_8), method.equals("HEAD"));
  }

  private static void send(HttpExchange exchange, int status, byte[] body, boolean noBody) throws IOException {
    if (noBody) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    client.close();
  }
}
