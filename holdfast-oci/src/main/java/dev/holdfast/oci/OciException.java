package dev.holdfast.oci;

/**
 * The root of what this library throws about the world: registries ({@code RegistryException} and
 * its subtypes), OCI layouts, manifests, credentials, TLS trust, mirror configuration, copies.
 * Each subtype is a case a caller can act on. Invalid arguments to the parsers (an image reference,
 * a platform) are {@link IllegalArgumentException}s instead, as in the JDK.
 */
public abstract class OciException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected OciException(String message) {
    super(message);
  }

  protected OciException(String message, Throwable cause) {
    super(message, cause);
  }
}
