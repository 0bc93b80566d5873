package dev.holdfast.oci.registry;

/** The registry knows who is asking but does not allow the action: HTTP 403 / {@code DENIED}. */
public final class DeniedException extends RegistryException {

  DeniedException(String registry, String action, int statusCode, String errorCode, String detail) {
    super(registry, action, statusCode, errorCode, detail, null);
  }
}
