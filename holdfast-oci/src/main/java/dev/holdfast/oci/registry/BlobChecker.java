package dev.holdfast.oci.registry;

import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import java.util.Optional;

/** {@code HEAD /v2/<name>/blobs/<digest>}: the blob's size, or empty when the repository lacks it. */
final class BlobChecker implements RegistryOperation<Optional<Long>> {

  private final ImageReference repository;
  private final Digest digest;

  BlobChecker(ImageReference repository, Digest digest) {
    this.repository = repository;
    this.digest = digest;
  }

  @Override
  public Optional<Long> run(RegistryCaller caller) {
    String action = "check blob " + repository.name() + "@" + digest;
    Call call = Call.of(repository.registry(), action, "HEAD",
            RegistryOperation.path(repository.repository(), "blobs/" + digest))
        .scope(Scope.pull(repository.repository()))
        .expect(200, 404);
    try (Response response = caller.send(call)) {
      if (response.status == 404) {
        return Optional.empty();
      }
      return Optional.of(response.header("Content-Length").flatMap(ManifestChecker::number).orElse(-1L));
    }
  }
}
