package dev.holdfast.oci.registry;

/** A manifest was larger than the client accepts ({@code Manifest.MAX_SIZE}, 4 MiB). */
public final class ManifestTooLargeException extends RegistryException {

  ManifestTooLargeException(String registry, String action, long limit) {
    super(registry, action, 0, null, "the manifest is larger than " + limit + " bytes", null);
  }
}
