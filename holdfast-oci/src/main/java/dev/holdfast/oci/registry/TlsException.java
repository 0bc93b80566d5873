package dev.holdfast.oci.registry;

/**
 * The TLS handshake with the registry failed, usually because its certificate is not trusted. The
 * message suggests {@code --ca-file} (trust the registry's CA) or {@code --insecure-registry}.
 */
public final class TlsException extends RegistryException {

  TlsException(String registry, String action, String detail, Throwable cause) {
    super(registry, action, 0, null, detail, cause);
  }
}
