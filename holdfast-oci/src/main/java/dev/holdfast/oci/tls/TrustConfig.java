package dev.holdfast.oci.tls;

import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Which certificates to trust for which registry, and which registries skip verification.
 * Immutable; build with {@link #builder()}.
 */
public final class TrustConfig {

  private TrustConfig() {}

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The JDK's default trust, nothing insecure. */
  public static TrustConfig systemDefault() {
    return builder().build();
  }

  /** The JDK default roots plus the global bundles plus {@code registry}'s bundles. */
  public SSLContext sslContext(String registry) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Whether {@code registry} ({@code host} or {@code host:port}) is configured insecure. */
  public boolean isInsecure(String registry) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** A context that accepts any certificate: only for registries configured insecure. */
  public SSLContext insecureSslContext() {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Human-readable warnings about skipped PEM blocks, one per block. */
  public List<String> warnings() {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** A summary of the configuration (sources, certificate subjects, insecure registries). */
  public String describe() {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Builds a {@link TrustConfig}. */
  public static final class Builder {
    private Builder() {}

    /** Trusts the bundle's certificates for every registry. */
    public Builder addGlobalBundle(PemBundle bundle) {
      throw new UnsupportedOperationException("not yet implemented");
    }

    /** Trusts the bundle's certificates for {@code registry} ({@code host} or {@code host:port}). */
    public Builder addRegistryBundle(String registry, PemBundle bundle) {
      throw new UnsupportedOperationException("not yet implemented");
    }

    /** Skips TLS verification for {@code registry} ({@code host} or {@code host:port}). */
    public Builder addInsecureRegistry(String registry) {
      throw new UnsupportedOperationException("not yet implemented");
    }

    public TrustConfig build() {
      throw new UnsupportedOperationException("not yet implemented");
    }
  }
}
