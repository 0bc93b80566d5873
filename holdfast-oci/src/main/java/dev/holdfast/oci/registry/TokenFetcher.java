package dev.holdfast.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.auth.Credential;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Gets a Bearer token from the token server a registry's challenge names. With an identity token
 * (OAuth2 refresh token) it POSTs {@code grant_type=refresh_token}; otherwise it GETs the realm
 * with Basic credentials (or none, for anonymous pulls), as the Docker token spec describes.
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">token spec</a>
 * @see <a href="https://distribution.github.io/distribution/spec/auth/oauth/">OAuth2 token spec</a>
 */
final class TokenFetcher implements Authenticator.TokenSource {

  /** A token and how long it lives. {@code toString()} hides the value. */
  record Token(String value, Duration expiresIn) {
    @Override
    public String toString() {
      return "Token[****, expiresIn=" + expiresIn + "]";
    }
  }

  static final String CLIENT_ID = "holdfast";
  private static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
  private static final int MAX_TOKEN_RESPONSE = 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryCaller caller;
  private final RegistryEndpoints endpoints;

  TokenFetcher(RegistryCaller caller, RegistryEndpoints endpoints) {
    this.caller = caller;
    this.endpoints = endpoints;
  }

  @Override
  public Token fetch(
      String registry, Challenge challenge, List<Scope> scopes, Optional<Credential> credential) {
    String action = "get a token for " + scopes.stream().map(Scope::text).collect(Collectors.joining(" "));
    String realm = challenge.param("realm").orElseThrow(() -> new UnauthorizedException(registry,
        action, null, "the registry's Bearer challenge names no realm"));
    URI realmUri;
    try {
      realmUri = URI.create(realm);
    } catch (IllegalArgumentException e) {
      throw new UnauthorizedException(registry, action, null, "the token realm is not a URL: " + realm);
    }
    if (!"https".equalsIgnoreCase(realmUri.getScheme()) && !"http".equalsIgnoreCase(realmUri.getScheme())) {
      throw new UnauthorizedException(registry, action, null, "the token realm is not an HTTP(S) URL: " + realm);
    }
    String realmHost = RegistryEndpoints.authority(realmUri);
    if (credential.isPresent() && "http".equalsIgnoreCase(realmUri.getScheme())
        && !endpoints.mayUsePlainHttp(realmHost)) {
      throw new UnauthorizedException(registry, action, null, "refusing to send credentials to the"
          + " token server " + realmHost + " over plain HTTP; mark it --insecure-registry if intended");
    }
    Optional<String> service = challenge.param("service");
    Call call = credential.isPresent() && credential.get() instanceof Credential.IdentityToken token
        ? post(registry, action, realm, service, scopes, token)
        : get(registry, action, realm, service, scopes, credential);
    try (Response response = caller.sendUnauthenticated(call)) {
      byte[] body = response.readAtMost(MAX_TOKEN_RESPONSE);
      return parse(registry, action, body);
    } catch (UnauthorizedException e) {
      throw new UnauthorizedException(registry, action, e.errorCode().orElse(null),
          "the token server " + realmHost + " refused "
              + credential.map(TokenFetcher::describe).orElse("anonymous access"));
    } catch (IOException e) {
      throw new RegistryUnavailableException(registry, action, 0, null,
          "reading the token response from " + realmHost + " failed: " + e.getMessage(), e);
    }
  }

  private static Call get(String registry, String action, String realm, Optional<String> service,
      List<Scope> scopes, Optional<Credential> credential) {
    StringBuilder query = new StringBuilder();
    service.ifPresent(s -> query.append("service=").append(encode(s)));
    for (Scope scope : scopes) {
      query.append(query.isEmpty() ? "" : "&").append("scope=").append(encode(scope.text()));
    }
    if (credential.isPresent() && credential.get() instanceof Credential.Basic basic) {
      query.append(query.isEmpty() ? "" : "&").append("account=").append(encode(basic.username()));
    }
    String url = realm + (query.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + query);
    Call call = Call.of(registry, action, "GET", url);
    if (credential.isPresent() && credential.get() instanceof Credential.Basic basic) {
      call.header("Authorization", Authenticator.basic(basic));
    }
    return call;
  }

  private static Call post(String registry, String action, String realm, Optional<String> service,
      List<Scope> scopes, Credential.IdentityToken token) {
    StringBuilder form = new StringBuilder("grant_type=refresh_token")
        .append("&client_id=").append(CLIENT_ID)
        .append("&refresh_token=").append(encode(token.token()));
    service.ifPresent(s -> form.append("&service=").append(encode(s)));
    form.append("&scope=").append(encode(scopes.stream().map(Scope::text).collect(Collectors.joining(" "))));
    byte[] bytes = form.toString().getBytes(StandardCharsets.UTF_8);
    return Call.of(registry, action, "POST", realm)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(bytes);
  }

  static Token parse(String registry, String action, byte[] body) {
    JsonNode root;
    try {
      root = body == null ? null : JSON.readTree(body);
    } catch (IOException e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      throw new UnauthorizedException(registry, action, null, "the token server's answer is not JSON");
    }
    JsonNode value = root.hasNonNull("token") ? root.get("token") : root.get("access_token");
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw new UnauthorizedException(registry, action, null, "the token server's answer has no token");
    }
    JsonNode expires = root.get("expires_in");
    Duration lifetime = expires != null && expires.canConvertToLong() && expires.asLong() > 0
        ? Duration.ofSeconds(expires.asLong()) : DEFAULT_LIFETIME;
    return new Token(value.asText(), lifetime);
  }

  private static String describe(Credential credential) {
    return switch (credential) {
      case Credential.Basic basic -> "the credentials of user " + basic.username();
      case Credential.IdentityToken token -> "the identity token";
      case Credential.RegistryToken token -> "the registry token";
    };
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
