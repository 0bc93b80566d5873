package dev.holdfast.oci.registry;

import dev.holdfast.oci.manifest.InvalidManifestException;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.manifest.MediaTypes;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/manifests/<ref>} with every manifest type in {@code Accept}: reads at most
 * {@link Manifest#MAX_SIZE} bytes and checks them against the reference's digest (or, for a tag,
 * the registry's {@code Docker-Content-Digest}).
 */
final class ManifestPuller implements RegistryOperation<Manifest> {

  private final ImageReference image;

  ManifestPuller(ImageReference image) {
    this.image = image;
  }

  @Override
  public Manifest run(RegistryCaller caller) {
    String action = "pull manifest " + image;
    Call call = Call.of(image.registry(), action, "GET",
            RegistryOperation.path(image.repository(), "manifests/" + image.manifestReference()))
        .scope(Scope.pull(image.repository()))
        .header("Accept", MediaTypes.ACCEPT);
    byte[] raw;
    Optional<Digest> announced;
    String contentType;
    try (Response response = caller.send(call)) {
      Optional<Long> length = response.header("Content-Length").flatMap(ManifestChecker::number);
      if (length.isPresent() && length.get() > Manifest.MAX_SIZE) {
        throw new ManifestTooLargeException(image.registry(), action, Manifest.MAX_SIZE);
      }
      raw = response.readAtMost(Manifest.MAX_SIZE);
      if (raw == null) {
        throw new ManifestTooLargeException(image.registry(), action, Manifest.MAX_SIZE);
      }
      announced = response.header("Docker-Content-Digest").flatMap(ManifestChecker::digest);
      contentType = response.header("Content-Type").orElse(null);
    } catch (IOException e) {
      throw new RegistryUnavailableException(image.registry(), action, 0, null,
          "reading the manifest failed: " + e.getMessage(), e);
    }
    Optional<Digest> expected = image.digest().or(() -> announced);
    if (expected.isPresent()) {
      MessageDigest hasher = expected.get().newHasher();
      Digest actual = Digest.of(expected.get().algorithm(), hasher.digest(raw));
      if (!actual.equals(expected.get())) {
        throw new DigestMismatchException(image.registry(), action, expected.get(), actual, -1, raw.length);
      }
    }
    try {
      return Manifest.parse(raw, contentType);
    } catch (InvalidManifestException e) {
      throw new InvalidManifestException(e.problem(),
          action + ": " + e.getMessage() + " [registry " + image.registry() + "]", e);
    }
  }
}
