package dev.holdfast.oci.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Which certificates to trust for which registry, which registries skip verification, and which
 * client certificate (mutual TLS) each registry is offered. Immutable; build with {@link
 * #builder()}.
 *
 * <p>Registries are named as in {@code ImageReference.registry()}: {@code host} or {@code
 * host:port}. A key with a port applies to that port only; a key without a port applies to the
 * host on every port (for a client certificate, the one for {@code host:port} wins over the one
 * for {@code host}). Host names are compared case-insensitively.
 */
public final class TrustConfig {
  private final List<PemBundle> global;
  private final Map<String, List<PemBundle>> perRegistry;
  private final Set<String> insecure;
  private final Map<String, ClientIdentity> identities;
  private final boolean nativeCrypto;
  private final Map<ContextKey, SSLContext> contexts = new ConcurrentHashMap<>();
  private final Map<Optional<ClientIdentity>, SSLContext> insecureContexts = new ConcurrentHashMap<>();

  /** What a TLS context is made of: the bundles to trust beyond the JDK's roots, the client certificate. */
  private record ContextKey(List<PemBundle> bundles, Optional<ClientIdentity> identity) {}

  private TrustConfig(Builder builder) {
    this.global = List.copyOf(builder.global);
    Map<String, List<PemBundle>> copy = new LinkedHashMap<>();
    builder.perRegistry.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    this.perRegistry = Collections.unmodifiableMap(copy);
    this.insecure = Collections.unmodifiableSet(new LinkedHashSet<>(builder.insecure));
    this.identities = Collections.unmodifiableMap(new LinkedHashMap<>(builder.identities));
    this.nativeCrypto = builder.nativeCrypto;
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The JDK's default trust, nothing insecure. */
  public static TrustConfig systemDefault() {
    return builder().build();
  }

  /** The bundles that apply to {@code registry}: global ones first, then the registry's own. */
  public List<PemBundle> bundlesFor(String registry) {
    List<PemBundle> bundles = new ArrayList<>(global);
    String key = normalize(registry);
    String host = hostOf(key);
    if (!host.equals(key)) {
      bundles.addAll(perRegistry.getOrDefault(host, List.of()));
    }
    bundles.addAll(perRegistry.getOrDefault(key, List.of()));
    return List.copyOf(new LinkedHashSet<>(bundles));
  }

  /** The client certificate offered to {@code registry}, if one is configured. */
  public Optional<ClientIdentity> identityFor(String registry) {
    String key = normalize(registry);
    ClientIdentity identity = identities.get(key);
    return Optional.ofNullable(identity != null ? identity : identities.get(hostOf(key)));
  }

  /**
   * The JDK default roots plus the global bundles plus {@code registry}'s bundles, and the
   * registry's client certificate if it has one. Contexts are cached per distinct set of bundles
   * and certificate.
   *
   * @throws IllegalStateException when the JDK's TLS machinery fails (it should not)
   */
  public SSLContext sslContext(String registry) {
    if (nativeCrypto) {
      NativeCrypto.install();
    }
    return contexts.computeIfAbsent(new ContextKey(bundlesFor(registry), identityFor(registry)),
        TrustConfig::newContext);
  }

  /** The trust manager behind {@link #sslContext}: the JDK's roots plus the bundles. */
  X509TrustManager trustManager(String registry) {
    return mergedTrustManager(bundlesFor(registry));
  }

  /** Whether {@code registry} ({@code host} or {@code host:port}) is configured insecure. */
  public boolean isInsecure(String registry) {
    String key = normalize(registry);
    return insecure.contains(key) || insecure.contains(hostOf(key));
  }

  /**
   * A context that accepts any certificate for any host name, and offers {@code registry}'s client
   * certificate if it has one. Use it only for registries that {@link #isInsecure} says were
   * configured insecure.
   */
  public SSLContext insecureSslContext(String registry) {
    if (nativeCrypto) {
      NativeCrypto.install();
    }
    return insecureContexts.computeIfAbsent(identityFor(registry),
        identity -> initContext(identity, new TrustManager[] {new TrustEverything()}));
  }

  /** Human-readable warnings about skipped PEM blocks, one per block, naming bundle and position. */
  public List<String> warnings() {
    List<String> warnings = new ArrayList<>();
    global.forEach(b -> warnings.addAll(b.warnings()));
    perRegistry.values().forEach(list -> list.forEach(b -> warnings.addAll(b.warnings())));
    return warnings;
  }

  /** A multi-line summary: bundles with their certificate subjects, insecure registries, warnings. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    out.append("trust: JDK default roots");
    global.forEach(b -> describe(out, "all registries", b));
    perRegistry.forEach((registry, bundles) -> bundles.forEach(b -> describe(out, registry, b)));
    identities.forEach((registry, identity) -> out.append("\nclient certificate for ").append(registry)
        .append(": ").append(identity.source()).append(" (").append(identity.subject()).append(")"));
    if (!insecure.isEmpty()) {
      out.append("\ninsecure (TLS not verified): ").append(String.join(", ", insecure));
    }
    warnings().forEach(w -> out.append("\nwarning: ").append(w));
    return out.toString();
  }

  private static void describe(StringBuilder out, String scope, PemBundle bundle) {
    out.append("\n").append(scope).append(": ").append(bundle.source()).append(" (")
        .append(bundle.certificates().size()).append(" certificates)");
    for (X509Certificate certificate : bundle.certificates()) {
      out.append("\n  ").append(certificate.getSubjectX500Principal().getName());
    }
  }

  static String normalize(String registry) {
    return registry.strip().toLowerCase(Locale.ROOT);
  }

  /** The host of {@code host:port} or {@code [v6]:port}; the input when it has no port. */
  static String hostOf(String registry) {
    if (registry.startsWith("[")) {
      int close = registry.indexOf(']');
      return close > 0 ? registry.substring(0, close + 1) : registry;
    }
    int colon = registry.lastIndexOf(':');
    return colon > 0 && registry.indexOf(':') == colon ? registry.substring(0, colon) : registry;
  }

  private static SSLContext newContext(ContextKey key) {
    List<PemBundle> bundles = key.bundles();
    if (bundles.isEmpty() && key.identity().isEmpty()) {
      try {
        return SSLContext.getDefault();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK has no default TLS context", e);
      }
    }
    TrustManager[] trust = bundles.isEmpty() ? null : new TrustManager[] {mergedTrustManager(bundles)};
    return initContext(key.identity(), trust);
  }

  /** A TLS context; null trust managers mean the JDK's default trust. */
  private static SSLContext initContext(Optional<ClientIdentity> identity, TrustManager[] trustManagers) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(identity.map(ClientIdentity::keyManagers).orElse(null), trustManagers, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context", e);
    }
  }

  /**
   * One PKIX trust manager whose anchors are the JDK default trust manager's accepted issuers
   * plus the bundles' certificates: a chain may end at either.
   */
  private static X509TrustManager mergedTrustManager(List<PemBundle> bundles) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (X509Certificate root : defaultTrustManager().getAcceptedIssuers()) {
        store.setCertificateEntry("jdk-" + n++, root);
      }
      for (PemBundle bundle : bundles) {
        for (X509Certificate certificate : bundle.certificates()) {
          store.setCertificateEntry("holdfast-" + n++, certificate);
        }
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return x509(factory);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build a trust store from " + bundles, e);
    }
  }

  private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    return x509(factory);
  }

  private static X509TrustManager x509(TrustManagerFactory factory) {
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new IllegalStateException("the JDK offers no X509TrustManager");
  }

  @Override
  public String toString() {
    return "TrustConfig[global=" + global + ", perRegistry=" + perRegistry + ", insecure=" + insecure
        + ", identities=" + identities + (nativeCrypto ? ", nativeCrypto" : "") + "]";
  }

  /** Accepts every certificate and host name: only for registries configured insecure. */
  private static final class TrustEverything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** Builds a {@link TrustConfig}. */
  public static final class Builder {
    private final List<PemBundle> global = new ArrayList<>();
    private final Map<String, List<PemBundle>> perRegistry = new LinkedHashMap<>();
    private final Set<String> insecure = new LinkedHashSet<>();
    private final Map<String, ClientIdentity> identities = new LinkedHashMap<>();
    private boolean nativeCrypto;

    private Builder() {}

    /**
     * Installs the native crypto provider ({@link NativeCrypto#install}) before the first TLS
     * context is made, so that a program that never speaks TLS never loads it. Process-wide: the
     * caller opts in for the whole JVM. Where it cannot load, the JDK's providers are used.
     */
    public Builder nativeCrypto() {
      this.nativeCrypto = true;
      return this;
    }

    /** Trusts the bundle's certificates for every registry. */
    public Builder addGlobalBundle(PemBundle bundle) {
      global.add(bundle);
      return this;
    }

    /** Reads a PEM file and trusts its certificates for every registry. */
    public Builder addGlobalBundle(Path pemFile) {
      return addGlobalBundle(PemBundle.read(pemFile));
    }

    /** Trusts the bundle's certificates for {@code registry} ({@code host} or {@code host:port}). */
    public Builder addRegistryBundle(String registry, PemBundle bundle) {
      perRegistry.computeIfAbsent(validate(registry), k -> new ArrayList<>()).add(bundle);
      return this;
    }

    /**
     * Offers the client certificate to {@code registry} ({@code host} or {@code host:port}) when
     * it asks for one.
     *
     * @throws IllegalArgumentException when the registry already has a client certificate: a
     *     registry is offered one, not a choice
     */
    public Builder addClientIdentity(String registry, ClientIdentity identity) {
      String key = validate(registry);
      ClientIdentity earlier = identities.putIfAbsent(key, identity);
      if (earlier != null) {
        throw new IllegalArgumentException("two client certificates for " + key + ": " + earlier.source()
            + ", and " + identity.source());
      }
      return this;
    }

    /** Skips TLS verification for {@code registry} ({@code host} or {@code host:port}). */
    public Builder addInsecureRegistry(String registry) {
      insecure.add(validate(registry));
      return this;
    }

    private static String validate(String registry) {
      String key = normalize(registry);
      if (key.isEmpty() || key.contains("/") || key.contains("://")) {
        throw new IllegalArgumentException("invalid registry \"" + registry
            + "\": expected host or host:port, without scheme or path");
      }
      return key;
    }

    public TrustConfig build() {
      return new TrustConfig(this);
    }
  }
}
