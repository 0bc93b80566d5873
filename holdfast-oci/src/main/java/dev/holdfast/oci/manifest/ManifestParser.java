package dev.holdfast.oci.manifest;

/** Parses and validates manifest JSON. */
final class ManifestParser {
  private ManifestParser() {}

  static Manifest parse(byte[] raw, String contentType) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
