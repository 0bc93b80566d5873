package dev.holdfast.oci.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A Bearer token server for a test registry ("token authentication", the scheme Docker Hub, GHCR
 * and Quay use; https://distribution.github.io/distribution/spec/auth/token/). It answers GET
 * (Basic credentials or none) and the OAuth2 POST ({@code grant_type=password|refresh_token}),
 * issues RS256 JWTs and records every request it receives (never a password).
 *
 * <p>Valid users get every scope they ask for; anonymous callers get only {@code pull}, and only
 * when anonymous pull is enabled, otherwise 401.
 */
public final class TokenServer implements AutoCloseable {

  static final String ISSUER = "holdfast-test-token-issuer";
  static final String SERVICE = "holdfast-test-registry";
  private static final int TTL_SECONDS = 300;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JwtSigner signer;
  private final Credentials user;
  private final boolean anonymousPull;
  private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
  private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  private TokenServer(JwtSigner signer, Credentials user, boolean anonymousPull) throws IOException {
    this.signer = signer;
    this.user = user;
    this.anonymousPull = anonymousPull;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", this::handle);
    server.setExecutor(executor);
  }

  /** Starts a token server on a free loopback port; its signing key lives in {@code keyDir}. */
  static TokenServer start(Path keyDir, Credentials user, boolean anonymousPull) {
    try {
      TokenServer ts = new TokenServer(JwtSigner.create(keyDir), user, anonymousPull);
      ts.server.start();
      return ts;
    } catch (IOException e) {
      throw new UncheckedIOException("start token server", e);
    }
  }

  /** The realm the registry sends clients to, {@code http://127.0.0.1:PORT/token}. */
  public URI realm() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
  }

  /** The {@code service} the registry names in its challenge (and the tokens' audience). */
  public String service() {
    return SERVICE;
  }

  /** The {@code iss} claim of the tokens. */
  public String issuer() {
    return ISSUER;
  }

  /** Whether anonymous callers get pull tokens. */
  public boolean anonymousPull() {
    return anonymousPull;
  }

  /** The signing certificate (PEM) the registry trusts. */
  public Path signingCertificate() {
    return signer.certificateFile();
  }

  /** Every request received so far (or since {@link #clearRequests()}), oldest first. */
  public List<TokenRequest> requests() {
    return List.copyOf(requests);
  }

  /** Forgets the recorded requests. */
  public void clearRequests() {
    requests.clear();
  }

  /** Stops the server. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      if (method.equals("GET")) {
        handleGet(ex);
      } else if (method.equals("POST")) {
        handlePost(ex);
      } else {
        reply(ex, 405, Map.of("error", "method not allowed"));
      }
    } catch (RuntimeException e) {
      requests.add(new TokenRequest(ex.getRequestMethod(), "error", Optional.empty(), false,
          List.of(), 500));
      throw e;
    }
  }

  private void handleGet(HttpExchange ex) throws IOException {
    Map<String, List<String>> query = parseForm(ex.getRequestURI().getRawQuery());
    List<String> scopes = splitScopes(query.getOrDefault("scope", List.of()));
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        decoded = "";
      }
      int colon = decoded.indexOf(':');
      String name = colon < 0 ? decoded : decoded.substring(0, colon);
      String password = colon < 0 ? "" : decoded.substring(colon + 1);
      int status = checkService(query) ? (valid(name, password) ? 200 : 401) : 400;
      record(ex, "basic", Optional.of(name), true, scopes, status);
      respond(ex, status, status == 200 ? name : null, scopes);
    } else {
      int status = !checkService(query) ? 400 : anonymousPull ? 200 : 401;
      record(ex, "anonymous", Optional.empty(), false, scopes, status);
      respond(ex, status, null, scopes);
    }
  }

  private void handlePost(HttpExchange ex) throws IOException {
    Map<String, List<String>> form =
        parseForm(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String grant = first(form, "grant_type");
    List<String> scopes = splitScopes(form.getOrDefault("scope", List.of()));
    if (!checkService(form)) {
      record(ex, grant, Optional.empty(), false, scopes, 400);
      reply(ex, 400, Map.of("error", "invalid_request"));
      return;
    }
    switch (grant) {
      case "password" -> {
        String name = first(form, "username");
        boolean ok = valid(name, first(form, "password"));
        record(ex, grant, Optional.of(name), true, scopes, ok ? 200 : 401);
        respond(ex, ok ? 200 : 401, ok ? name : null, scopes);
      }
      case "refresh_token" -> {
        String name = refreshTokens.get(first(form, "refresh_token"));
        record(ex, grant, Optional.ofNullable(name), true, scopes, name != null ? 200 : 401);
        respond(ex, name != null ? 200 : 401, name, scopes);
      }
      default -> {
        record(ex, grant, Optional.empty(), false, scopes, 400);
        reply(ex, 400, Map.of("error", "unsupported_grant_type"));
      }
    }
  }

  private boolean checkService(Map<String, List<String>> params) {
    String service = first(params, "service");
    return service.isEmpty() || service.equals(SERVICE);
  }

  private boolean valid(String name, String password) {
    return name.equals(user.username())
        && MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8),
            user.password().getBytes(StandardCharsets.UTF_8));
  }

  /** 200 with a token for {@code subject} (null = anonymous), or the error status. */
  private void respond(HttpExchange ex, int status, String subject, List<String> scopes)
      throws IOException {
    if (status == 401) {
      ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"holdfast-test-token-server\"");
      reply(ex, 401, Map.of("errors", List.of(Map.of("code", "UNAUTHORIZED",
          "message", "authentication required"))));
      return;
    }
    if (status != 200) {
      reply(ex, status, Map.of("error", "invalid_request"));
      return;
    }
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", ISSUER);
    claims.put("sub", subject == null ? "" : subject);
    claims.put("aud", SERVICE);
    claims.put("exp", now + TTL_SECONDS);
    claims.put("nbf", now - 10);
    claims.put("iat", now);
    claims.put("jti", UUID.randomUUID().toString());
    claims.put("access", access(scopes, subject == null));
    String token = signer.sign(claims);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("token", token);
    body.put("access_token", token);
    body.put("expires_in", TTL_SECONDS);
    body.put("issued_at", Instant.ofEpochSecond(now).toString());
    if (subject != null) {
      String refresh = UUID.randomUUID().toString();
      refreshTokens.put(refresh, subject);
      body.put("refresh_token", refresh);
    }
    reply(ex, 200, body);
  }

  /** The {@code access} claim: every requested action, or only pull for anonymous callers. */
  static List<Map<String, Object>> access(List<String> scopes, boolean anonymous) {
    List<Map<String, Object>> access = new ArrayList<>();
    for (String scope : scopes) {
      int first = scope.indexOf(':');
      int last = scope.lastIndexOf(':');
      if (first <= 0 || last == first) {
        continue;
      }
      List<String> actions = new ArrayList<>();
      for (String action : scope.substring(last + 1).split(",")) {
        if (!action.isEmpty() && (!anonymous || action.equals("pull"))) {
          actions.add(action);
        }
      }
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("type", scope.substring(0, first));
      entry.put("name", scope.substring(first + 1, last));
      entry.put("actions", actions);
      access.add(entry);
    }
    return access;
  }

  private void record(HttpExchange ex, String grant, Optional<String> name, boolean creds,
      List<String> scopes, int status) {
    requests.add(new TokenRequest(ex.getRequestMethod(), grant, name, creds, scopes, status));
  }

  private static void reply(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  /** Scope parameters may repeat and may each hold several space-separated scopes. */
  private static List<String> splitScopes(List<String> values) {
    List<String> scopes = new ArrayList<>();
    for (String v : values) {
      for (String s : v.split(" ")) {
        if (!s.isBlank()) {
          scopes.add(s);
        }
      }
    }
    return scopes;
  }

  private static String first(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? "" : values.get(0);
  }

  private static Map<String, List<String>> parseForm(String raw) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return params;
  }
}
