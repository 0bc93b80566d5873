package dev.holdfast.oci.registry;

import dev.holdfast.oci.tls.TrustConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * Where a registry is served, and with which TLS context. TLS trust is loaded on the first HTTPS
 * connection, never for registries served over plain HTTP.
 *
 * <p>Scheme rules, as Docker: HTTPS with verified TLS by default. Registries configured insecure
 * get HTTPS without verification and, when they do not speak TLS, plain HTTP. Loopback registries
 * ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}) get verified HTTPS and, when they do not
 * speak TLS, plain HTTP; a loopback registry that does speak TLS with an untrusted certificate is
 * a TLS failure, not a reason to skip verification. The decision is made once per registry, on
 * the first call (a {@code GET /v2/}), and cached.
 */
final class RegistryEndpoints {

  /** Docker Hub's name in references, and the host that serves its API. */
  static final String DOCKER_HUB = "docker.io";

  static final String DOCKER_HUB_API = "registry-1.docker.io";

  private final TrustConfig trust;
  private final Duration connectTimeout;
  private final Map<String, URI> bases = new ConcurrentHashMap<>();

  RegistryEndpoints(TrustConfig trust, Duration connectTimeout) {
    this.trust = trust;
    this.connectTimeout = connectTimeout;
  }

  /** The API host for a registry name ({@code docker.io} is served at {@code registry-1.docker.io}). */
  static String apiHost(String registry) {
    return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API : registry;
  }

  /** Whether plain HTTP may be tried at all for the registry. */
  boolean mayUsePlainHttp(String registry) {
    return isLoopback(registry) || trust.isInsecure(registry);
  }

  /** Whether TLS verification is skipped for the registry. */
  boolean isInsecure(String registry) {
    return trust.isInsecure(registry);
  }

  /** The cached base URI ({@code https://host:port}), or null when not decided yet. */
  URI knownBase(String registry) {
    URI known = bases.get(registry);
    if (known == null && !mayUsePlainHttp(registry)) {
      known = httpsBase(registry);
      bases.put(registry, known);
    }
    return known;
  }

  void remember(String registry, URI base) {
    bases.put(registry, base);
  }

  URI httpsBase(String registry) {
    return URI.create("https://" + apiHost(registry));
  }

  URI httpBase(String registry) {
    return URI.create("http://" + apiHost(registry));
  }

  /** The TLS context for {@code registry}: its trust, or trust-everything when insecure. */
  SSLContext sslContext(String registry) {
    return trust.isInsecure(registry) ? trust.insecureSslContext(registry) : trust.sslContext(registry);
  }

  /** The TLS context for a URI outside the registry (redirect target), by its authority. */
  SSLContext sslContextFor(URI uri) {
    return sslContext(authority(uri));
  }

  Duration connectTimeout() {
    return connectTimeout;
  }

  /** {@code host} or {@code host:port} of a URI, IPv6 literals in brackets, as registries are named. */
  static String authority(URI uri) {
    String host = uri.getHost() == null ? "" : uri.getHost();
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return uri.getPort() < 0 ? host : host + ":" + uri.getPort();
  }

  /** Whether the host of a registry name is loopback: localhost, 127.0.0.0/8 or [::1]. */
  static boolean isLoopback(String registry) {
    String host = hostOf(registry).toLowerCase(Locale.ROOT);
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return true;
    }
    if (host.equals("::1") || host.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] octets = host.split("\\.", -1);
    if (octets.length == 4 && octets[0].equals("127")) {
      for (String octet : octets) {
        if (!octet.matches("\\d{1,3}") || Integer.parseInt(octet) > 255) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /** The host part of {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}, unbracketed. */
  static String hostOf(String registry) {
    if (registry.startsWith("[")) {
      int close = registry.indexOf(']');
      return close < 0 ? registry : registry.substring(1, close);
    }
    int colon = registry.indexOf(':');
    return colon < 0 ? registry : registry.substring(0, colon);
  }

}
