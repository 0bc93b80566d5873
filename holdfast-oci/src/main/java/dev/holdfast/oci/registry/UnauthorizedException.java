package dev.holdfast.oci.registry;

/** The registry refused the credentials (or wants some and none were configured): HTTP 401. */
public final class UnauthorizedException extends RegistryException {

  UnauthorizedException(String registry, String action, String errorCode, String detail) {
    super(registry, action, 401, errorCode, detail, null);
  }
}
