package dev.holdfast.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.holdfast.oci.reference.Digest;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A few lines of JDK HTTP server in front of a real (plain HTTP) registry that forwards every
 * request and, on demand, damages the answers: corrupts or truncates blob downloads, answers 429
 * or 503 with {@code Retry-After}, redirects blob downloads to another host, pages tag lists with
 * {@code Link} headers. It records each request and whether it carried {@code Authorization}.
 */
public final class FaultProxy implements AutoCloseable {

  /** A request the proxy (or the redirect target) received. */
  public record Seen(String method, String path, boolean authorization) {}

  private static final Set<String> HOP_HEADERS =
      Set.of("host", "content-length", "connection", "transfer-encoding", "expect", "upgrade", "date");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI upstream;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
  public final List<Seen> seen = new CopyOnWriteArrayList<>();

  public volatile boolean corruptBlobs;
  /**
   * Plays a registry that does not check upload digests: a monolithic upload is stored under the
   * digest its content has, and the answer claims the digest the client asked for.
   */
  public volatile boolean acceptWrongDigests;
  volatile boolean truncateBlobs;
  volatile URI redirectBlobsTo;
  volatile int tagPageSize;
  /**
   * Serves the OCI 1.1 referrers API (which distribution 2.8 lacks) from the fallback tag's index;
   * applies the {@code artifactType} filter only when {@link #applyReferrersFilter} is set.
   */
  volatile boolean referrersApi;
  volatile boolean applyReferrersFilter;
  /**
   * Plays a registry that cannot mount blobs: the {@code mount} and {@code from} parameters of an
   * upload request are dropped, so every such request opens an upload session (202).
   */
  public volatile boolean ignoreMounts;
  /** Plays a registry that rejects mount requests: {@code 400 UNSUPPORTED}. */
  public volatile boolean refuseMounts;
  /** Replaces manifest GET bodies (sent without Content-Length, so only reading finds the size). */
  volatile byte[] manifestBody;
  /** The {@code WWW-Authenticate} value sent with an injected 401. */
  volatile String challenge;
  private final AtomicInteger rejectNext = new AtomicInteger();
  private volatile int rejectStatus;
  private volatile String rejectRetryAfter;

  public FaultProxy(URI upstream) {
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

  /** The next {@code count} requests get {@code status} with this {@code Retry-After} (or none). */
  void reject(int count, int status, String retryAfter) {
    rejectStatus = status;
    rejectRetryAfter = retryAfter;
    rejectNext.set(count);
  }

  public void reset() {
    corruptBlobs = false;
    acceptWrongDigests = false;
    truncateBlobs = false;
    redirectBlobsTo = null;
    tagPageSize = 0;
    manifestBody = null;
    referrersApi = false;
    applyReferrersFilter = false;
    ignoreMounts = false;
    refuseMounts = false;
    rejectNext.set(0);
    seen.clear();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String pathAndQuery = exchange.getRequestURI().getRawPath()
          + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
      seen.add(new Seen(method, pathAndQuery, exchange.getRequestHeaders().containsKey("Authorization")));
      byte[] requestBody = exchange.getRequestBody().readAllBytes();
      boolean blobGet = method.equals("GET") && pathAndQuery.matches("/v2/.+/blobs/sha256:[0-9a-f]{64}");

      if (rejectNext.getAndUpdate(n -> Math.max(n - 1, 0)) > 0) {
        if (rejectRetryAfter != null) {
          exchange.getResponseHeaders().add("Retry-After", rejectRetryAfter);
        }
        if (rejectStatus == 401 && challenge != null) {
          exchange.getResponseHeaders().add("WWW-Authenticate", challenge);
        }
        String code = switch (rejectStatus) {
          case 401 -> "UNAUTHORIZED";
          case 429 -> "TOOMANYREQUESTS";
          default -> "UNAVAILABLE";
        };
        send(exchange, rejectStatus, ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"injected\"}]}")
            .getBytes(StandardCharsets.UTF_8), false);
        return;
      }
      boolean mount = method.equals("POST") && pathAndQuery.matches("/v2/.+/blobs/uploads/\\?.*mount=.*");
      if (mount && refuseMounts) {
        send(exchange, 400, "{\"errors\":[{\"code\":\"UNSUPPORTED\",\"message\":\"injected: no mounts\"}]}"
            .getBytes(StandardCharsets.UTF_8), false);
        return;
      }
      if (mount && ignoreMounts) {
        pathAndQuery = pathAndQuery.substring(0, pathAndQuery.indexOf('?'));
      }
      if (referrersApi && method.equals("GET") && pathAndQuery.matches("/v2/.+/referrers/sha256:[0-9a-f]{64}.*")) {
        serveReferrers(exchange, pathAndQuery);
        return;
      }
      if (manifestBody != null && method.equals("GET") && pathAndQuery.contains("/manifests/")) {
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
        send(exchange, 200, manifestBody, true);
        return;
      }
      if (blobGet && redirectBlobsTo != null) {
        String digest = pathAndQuery.substring(pathAndQuery.lastIndexOf('/') + 1);
        exchange.getResponseHeaders().add("Location",
            redirectBlobsTo.resolve("/storage/" + digest + "?X-Signature=abc").toString());
        send(exchange, 307, new byte[0], false);
        return;
      }

      String claimedDigest = null;
      String actualDigest = null;
      if (acceptWrongDigests && method.equals("PUT") && requestBody.length > 0
          && pathAndQuery.matches("/v2/.+/blobs/uploads/.*[?&]digest=sha256:[0-9a-f]{64}.*")) {
        int at = pathAndQuery.indexOf("digest=sha256:") + "digest=".length();
        claimedDigest = pathAndQuery.substring(at, at + 71);
        actualDigest = Digest.sha256(requestBody).toString();
        pathAndQuery = pathAndQuery.replace("digest=" + claimedDigest, "digest=" + actualDigest);
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
      byte[] body = response.body();
      String claimed = claimedDigest;
      String actual = actualDigest;
      response.headers().map().forEach((name, values) -> {
        if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
          values.forEach(v -> {
            String value = name.equalsIgnoreCase("Location") ? v.replace(upstream.getAuthority(), hostPort()) : v;
            exchange.getResponseHeaders().add(name, claimed == null ? value : value.replace(actual, claimed));
          });
        }
      });
      boolean chunked = false;
      if (blobGet && response.statusCode() == 200 && body.length > 0) {
        if (corruptBlobs) {
          body = body.clone();
          body[body.length / 2] ^= 0x5a;
        }
        if (truncateBlobs) {
          body = java.util.Arrays.copyOf(body, body.length - Math.min(100, body.length));
          chunked = true; // no Content-Length: the client finds out at the end of the stream
        }
      }
      if (tagPageSize > 0 && method.equals("GET") && pathAndQuery.matches("/v2/.+/tags/list.*")
          && response.statusCode() == 200) {
        body = page(exchange, pathAndQuery, body);
      }
      if (method.equals("HEAD")) {
        response.headers().firstValue("Content-Length")
            .ifPresent(length -> exchange.getResponseHeaders().set("Content-Length", length));
      }
      send(exchange, response.statusCode(), body, chunked || method.equals("HEAD"));
    }
  }

  private void serveReferrers(HttpExchange exchange, String pathAndQuery) throws IOException {
    String path = pathAndQuery.split("\\?")[0];
    String name = path.substring("/v2/".length(), path.indexOf("/referrers/"));
    String hex = path.substring(path.lastIndexOf(':') + 1);
    HttpRequest.Builder tag = HttpRequest.newBuilder(upstream.resolve("/v2/" + name + "/manifests/sha256-" + hex))
        .header("Accept", "application/vnd.oci.image.index.v1+json");
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization != null) {
      tag.header("Authorization", authorization);
    }
    HttpResponse<byte[]> index;
    try {
      index = client.send(tag.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    if (index.statusCode() == 401) {
      index.headers().firstValue("WWW-Authenticate")
          .ifPresent(v -> exchange.getResponseHeaders().add("WWW-Authenticate", v));
      send(exchange, 401, index.body(), false);
      return;
    }
    com.fasterxml.jackson.databind.node.ObjectNode result = JSON.createObjectNode();
    result.put("schemaVersion", 2);
    result.put("mediaType", "application/vnd.oci.image.index.v1+json");
    com.fasterxml.jackson.databind.node.ArrayNode manifests = result.putArray("manifests");
    String wanted = pathAndQuery.contains("artifactType=")
        ? java.net.URLDecoder.decode(pathAndQuery.substring(pathAndQuery.indexOf("artifactType=") + 13),
            StandardCharsets.UTF_8) : null;
    if (index.statusCode() == 200) {
      for (JsonNode entry : JSON.readTree(index.body()).get("manifests")) {
        if (!applyReferrersFilter || wanted == null
            || (entry.has("artifactType") && entry.get("artifactType").asText().equals(wanted))) {
          manifests.add(entry);
        }
      }
    }
    if (applyReferrersFilter && wanted != null) {
      exchange.getResponseHeaders().add("OCI-Filters-Applied", "artifactType");
    }
    exchange.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.index.v1+json");
    send(exchange, 200, JSON.writeValueAsBytes(result), false);
  }

  /** Serves one page of a tag list, with a relative Link to the next one, as distribution 3 does. */
  private byte[] page(HttpExchange exchange, String pathAndQuery, byte[] fullList) throws IOException {
    JsonNode list = JSON.readTree(fullList);
    List<String> tags = new ArrayList<>();
    list.get("tags").forEach(t -> tags.add(t.asText()));
    tags.sort(null);
    String last = null;
    int query = pathAndQuery.indexOf("last=");
    if (query >= 0) {
      last = pathAndQuery.substring(query + 5).split("&")[0];
    }
    int start = 0;
    while (last != null && start < tags.size() && tags.get(start).compareTo(last) <= 0) {
      start++;
    }
    List<String> page = tags.subList(start, Math.min(tags.size(), start + tagPageSize));
    if (start + tagPageSize < tags.size()) {
      String path = pathAndQuery.split("\\?")[0];
      exchange.getResponseHeaders().add("Link",
          "<" + path + "?n=" + tagPageSize + "&last=" + page.get(page.size() - 1) + ">; rel=\"next\"");
    }
    return JSON.writeValueAsBytes(Map.of("name", list.get("name").asText(), "tags", page));
  }

  private static void send(HttpExchange exchange, int status, byte[] body, boolean noLength)
      throws IOException {
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : noLength ? 0 : body.length);
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
  }
}
