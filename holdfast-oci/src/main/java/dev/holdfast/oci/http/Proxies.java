package dev.holdfast.oci.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which forward proxy, if any, carries a request: {@code HTTPS_PROXY} for HTTPS and {@code
 * HTTP_PROXY} for plain HTTP (each in lower or upper case, the lower-case one first, as curl reads
 * them), or one proxy for both given on the command line ({@code --proxy}); and never for the hosts
 * {@code NO_PROXY} lists ({@link NoProxy}). A proxy is written {@code http://[USER:PASSWORD@]HOST:PORT}
 * or {@code HOST:PORT}; HTTPS goes through it in a CONNECT tunnel. Unlike Go, and as curl does,
 * loopback addresses are proxied unless {@code NO_PROXY} lists them.
 *
 * @see <a href="https://everything.curl.dev/usingcurl/proxies/env.html">curl: proxy environment variables</a>
 * @see <a href="https://pkg.go.dev/golang.org/x/net/http/httpproxy#FromEnvironment">Go: httpproxy.FromEnvironment</a>
 */
public final class Proxies {

  private static final Proxies NONE = new Proxies(null, null, NoProxy.parse(""));

  private final URI https;
  private final URI http;
  private final NoProxy noProxy;

  private Proxies(URI https, URI http, NoProxy noProxy) {
    this.https = https;
    this.http = http;
    this.noProxy = noProxy;
  }

  /** No proxy at all. */
  public static Proxies none() {
    return NONE;
  }

  /**
   * The proxies the environment names.
   *
   * @throws IllegalArgumentException naming the variable when a proxy is not a usable URL
   */
  public static Proxies fromEnvironment(Map<String, String> environment) {
    URI https = variable(environment, "https_proxy").map(v -> parse(v.value(), v.name())).orElse(null);
    URI http = variable(environment, "http_proxy").map(v -> parse(v.value(), v.name())).orElse(null);
    String noProxy = variable(environment, "no_proxy").map(Variable::value).orElse("");
    return new Proxies(https, http, NoProxy.parse(noProxy));
  }

  /**
   * These proxies with {@code proxy} for both HTTPS and HTTP instead of the environment's ({@code
   * --proxy}); the hosts {@code NO_PROXY} lists still bypass it.
   *
   * @throws IllegalArgumentException when {@code proxy} is not a usable URL
   */
  public Proxies withProxy(String proxy, String source) {
    URI uri = parse(proxy, source);
    return new Proxies(uri, uri, noProxy);
  }

  /** The proxy for a request to {@code host:port} over {@code scheme} (http or https), if any. */
  public Optional<URI> proxyFor(String scheme, String host, int port) {
    URI proxy = "https".equalsIgnoreCase(scheme) ? https : http;
    if (proxy == null || noProxy.bypasses(host, port)) {
      return Optional.empty();
    }
    return Optional.of(proxy);
  }

  /** Whether any proxy is configured. */
  public boolean any() {
    return https != null || http != null;
  }

  /** A proxy as messages show it: scheme, host and port, never its credentials. */
  public static String shown(URI proxy) {
    return proxy.getScheme() + "://" + proxy.getHost() + ":" + proxy.getPort();
  }

  @Override
  public String toString() {
    return "Proxies[https=" + (https == null ? "none" : shown(https)) + ", http="
        + (http == null ? "none" : shown(http)) + ", no_proxy=" + noProxy + "]";
  }

  private record Variable(String name, String value) {}

  /** The lower-case variable, else the upper-case one; an empty value counts as unset. */
  private static Optional<Variable> variable(Map<String, String> environment, String lower) {
    for (String name : List.of(lower, lower.toUpperCase(Locale.ROOT))) {
      String value = environment.get(name);
      if (value != null && !value.isBlank()) {
        return Optional.of(new Variable(name, value.strip()));
      }
    }
    return Optional.empty();
  }

  /** {@code http://[USER:PASSWORD@]HOST[:PORT]} or {@code HOST[:PORT]}; the port defaults to 80. */
  static URI parse(String value, String source) {
    String text = value.contains("://") ? value : "http://" + value;
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(source + ": not a proxy URL (http://HOST:PORT): " + withoutCredentials(value));
    }
    String scheme = Objects.requireNonNullElse(uri.getScheme(), "").toLowerCase(Locale.ROOT);
    if (!scheme.equals("http")) {
      throw new IllegalArgumentException(source + ": " + withoutCredentials(value) + ": only http:// proxies are"
          + " supported (HTTPS is tunnelled through them with CONNECT), not " + scheme + "://");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(source + ": no host in the proxy URL " + withoutCredentials(value));
    }
    String userInfo = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@";
    String host = uri.getRawAuthority().substring(userInfo.length()).replaceFirst(":\\d*$", "");
    return URI.create("http://" + userInfo + host + ":" + (uri.getPort() < 0 ? 80 : uri.getPort()));
  }

  private static String withoutCredentials(String value) {
    int at = value.lastIndexOf('@');
    if (at < 0) {
      return value;
    }
    int scheme = value.indexOf("://");
    return (scheme < 0 ? "" : value.substring(0, scheme + 3)) + "****@" + value.substring(at + 1);
  }
}
