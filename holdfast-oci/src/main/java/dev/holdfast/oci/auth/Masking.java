package dev.holdfast.oci.auth;

/** How secrets are shown: never. */
final class Masking {
  static final String MASK = "****";

  private Masking() {}
}
