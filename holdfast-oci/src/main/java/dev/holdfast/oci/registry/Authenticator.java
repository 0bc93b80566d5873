package dev.holdfast.oci.registry;

import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.auth.CredentialProvider;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code Authorization} header for a registry call: nothing, Basic, or a Bearer token from the
 * registry's token server for the call's scopes, cached until shortly before it expires.
 *
 * <p>What a registry wants is learnt from its {@code WWW-Authenticate} challenge (on the first
 * {@code GET /v2/} or the first 401); a Bearer challenge wins over a Basic one.
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">token authentication</a>
 */
final class Authenticator {

  /** Gets a token from a token server; implemented by {@link TokenFetcher}. */
  interface TokenSource {
    TokenFetcher.Token fetch(
        String registry, Challenge challenge, List<Scope> scopes, Optional<Credential> credential);
  }

  private record CachedToken(String value, Instant refreshAt) {}

  private final CredentialProvider credentials;
  private final Clock clock;
  private final TokenSource tokens;
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, CachedToken> cache = new ConcurrentHashMap<>();

  Authenticator(CredentialProvider credentials, Clock clock, TokenSource tokens) {
    this.credentials = credentials;
    this.clock = clock;
    this.tokens = tokens;
  }

  /** Records the registry's challenge from a response's {@code WWW-Authenticate} headers. */
  void learn(String registry, List<String> wwwAuthenticate) {
    List<Challenge> parsed = Challenge.parseAll(wwwAuthenticate);
    parsed.stream().filter(Challenge::isBearer).findFirst()
        .or(() -> parsed.stream().filter(Challenge::isBasic).findFirst())
        .ifPresent(challenge -> challenges.put(registry, challenge));
  }

  /** Whether the registry has asked for authentication at all. */
  boolean knowsChallenge(String registry) {
    return challenges.containsKey(registry);
  }

  /** Whether credentials are configured for a call with these scopes (first scope = its repository). */
  boolean hasCredential(String registry, List<Scope> scopes) {
    return credentials.credentialFor(registry, scopes.isEmpty() ? "" : scopes.get(0).repository()).isPresent();
  }

  /** The header value for a call with these scopes (first scope = the call's repository). */
  Optional<String> authorization(String registry, List<Scope> scopes) {
    String repository = scopes.isEmpty() ? "" : scopes.get(0).repository();
    Optional<Credential> credential = credentials.credentialFor(registry, repository);
    if (credential.isPresent() && credential.get() instanceof Credential.RegistryToken token) {
      return Optional.of("Bearer " + token.token());
    }
    Challenge challenge = challenges.get(registry);
    if (challenge == null) {
      return Optional.empty();
    }
    if (challenge.isBasic()) {
      return credential.filter(c -> c instanceof Credential.Basic)
          .map(c -> basic((Credential.Basic) c));
    }
    if (!challenge.isBearer()) {
      return Optional.empty();
    }
    String key = registry + " " + Scope.key(scopes);
    CachedToken cached = cache.get(key);
    Instant now = clock.instant();
    if (cached == null || !now.isBefore(cached.refreshAt())) {
      TokenFetcher.Token token = tokens.fetch(registry, challenge, scopes, credential);
      Duration lifetime = token.expiresIn();
      Duration margin = lifetime.dividedBy(10).compareTo(Duration.ofSeconds(30)) > 0
          ? Duration.ofSeconds(30) : lifetime.dividedBy(10);
      cached = new CachedToken(token.value(), now.plus(lifetime).minus(margin));
      cache.put(key, cached);
    }
    return Optional.of("Bearer " + cached.value());
  }

  /**
   * After a 401: learns the new challenge and forgets the cached token for these scopes. True when
   * a retry would send different credentials (so it may help).
   */
  boolean onUnauthorized(String registry, List<Scope> scopes, List<String> wwwAuthenticate,
      Optional<String> sent) {
    learn(registry, wwwAuthenticate);
    cache.remove(registry + " " + Scope.key(scopes));
    Challenge challenge = challenges.get(registry);
    if (challenge == null) {
      return false;
    }
    if (challenge.isBearer()) {
      return true; // a fresh token (maybe the old one expired or lacked a scope)
    }
    return sent.isEmpty() && authorization(registry, scopes).isPresent();
  }

  static String basic(Credential.Basic credential) {
    String pair = credential.username() + ":" + credential.password();
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }
}
