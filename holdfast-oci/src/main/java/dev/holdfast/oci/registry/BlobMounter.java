package dev.holdfast.oci.registry;

import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;

/**
 * {@code POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other>}: links a blob from another
 * repository of the same registry. 201 means mounted; 202 means the registry declined and opened
 * an upload session instead, which this cancels (the caller then uploads with a fresh session).
 */
final class BlobMounter implements RegistryOperation<Boolean> {

  private final ImageReference repository;
  private final Digest digest;
  private final String fromRepository;

  BlobMounter(ImageReference repository, Digest digest, String fromRepository) {
    this.repository = repository;
    this.digest = digest;
    this.fromRepository = fromRepository;
  }

  @Override
  public Boolean run(RegistryCaller caller) {
    String action = "mount blob " + digest + " from " + fromRepository + " into " + repository.name();
    Call call = Call.of(repository.registry(), action, "POST",
            RegistryOperation.path(repository.repository(), "blobs/uploads/")
                + "?mount=" + digest + "&from=" + fromRepository)
        .scope(Scope.push(repository.repository()))
        .scope(Scope.pull(fromRepository))
        .expect(201, 202);
    String session;
    try (Response response = caller.send(call)) {
      response.drain();
      if (response.status == 201) {
        return true;
      }
      session = response.header("Location").map(l -> response.uri.resolve(l.trim()).toString()).orElse(null);
    }
    if (session != null) {
      BlobPusher.cancel(caller, repository, session, action);
    }
    return false;
  }
}
