package dev.holdfast.oci.registry;

import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import java.util.Optional;

/**
 * {@code PUT /v2/<name>/manifests/<tag or digest>} with the manifest's exact bytes and media type;
 * checks the registry's {@code Docker-Content-Digest} against the bytes' digest.
 */
final class ManifestPusher implements RegistryOperation<Digest> {

  private final ImageReference target;
  private final Manifest manifest;

  ManifestPusher(ImageReference target, Manifest manifest) {
    this.target = target;
    this.manifest = manifest;
  }

  @Override
  public Digest run(RegistryCaller caller) {
    String action = "push manifest " + target;
    Digest digest = manifest.digest();
    if (target.digest().isPresent() && !target.digest().get().equals(digest)) {
      throw new IllegalArgumentException(action + ": the manifest's digest is " + digest
          + ", not the one in the reference");
    }
    String reference = target.tag().orElse(digest.toString());
    byte[] raw = manifest.raw();
    Call call = Call.of(target.registry(), action, "PUT",
            RegistryOperation.path(target.repository(), "manifests/" + reference))
        .scope(Scope.push(target.repository()))
        .header("Content-Type", manifest.mediaType())
        .body(raw)
        .expect(200, 201);
    try (Response response = caller.send(call)) {
      Optional<Digest> stored = response.header("Docker-Content-Digest").flatMap(ManifestChecker::digest);
      if (stored.isPresent() && stored.get().algorithm().equals(digest.algorithm())
          && !stored.get().equals(digest)) {
        throw new DigestMismatchException(target.registry(), action, digest, stored.get(), -1, raw.length);
      }
      response.drain();
    }
    return digest;
  }
}
