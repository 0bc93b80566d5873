package dev.holdfast.oci.registry;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.reference.ImageReference;
import java.io.InputStream;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/blobs/<digest>}, redirects followed (to object storage, without the
 * registry's credentials): a stream that hashes as it is read and checks length and digest at its
 * end, or (unhashed) checks only the length. The caller closes it.
 */
final class BlobPuller implements RegistryOperation<InputStream> {

  private final ImageReference repository;
  private final Descriptor descriptor;
  private final boolean hash;

  BlobPuller(ImageReference repository, Descriptor descriptor, boolean hash) {
    this.repository = repository;
    this.descriptor = descriptor;
    this.hash = hash;
  }

  @Override
  public InputStream run(RegistryCaller caller) {
    String action = "pull blob " + repository.name() + "@" + descriptor.digest();
    Call call = Call.of(repository.registry(), action, "GET",
            RegistryOperation.path(repository.repository(), "blobs/" + descriptor.digest()))
        .scope(Scope.pull(repository.repository()));
    Response response = caller.send(call);
    Optional<Long> length = response.header("Content-Length").flatMap(ManifestChecker::number);
    if (length.isPresent() && length.get() != descriptor.size()) {
      response.close();
      throw new DigestMismatchException(repository.registry(), action, descriptor.digest(), null,
          descriptor.size(), length.get());
    }
    return new VerifyingInputStream(response.body(), descriptor.digest(), descriptor.size(),
        hash, repository.registry(), action);
  }
}
