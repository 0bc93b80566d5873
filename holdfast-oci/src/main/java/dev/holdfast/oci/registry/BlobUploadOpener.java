package dev.holdfast.oci.registry;

import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import java.util.Optional;

/**
 * Finds out whether a repository has a blob and, when it does not, opens an upload session for it,
 * in one request: {@code POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<name>}, a mount of
 * the blob from the repository itself. 201 means the repository has it; 202 opens the session.
 * A HEAD and then a POST would take two requests for every blob that has to be uploaded.
 *
 * <p>A registry that cannot mount answers 202 even when it has the blob: the blob is then uploaded
 * again, which is correct but costs its bytes. That is why the engine asks this way only about
 * small blobs.
 */
final class BlobUploadOpener implements RegistryOperation<Optional<String>> {

  private final ImageReference repository;
  private final Digest digest;

  BlobUploadOpener(ImageReference repository, Digest digest) {
    this.repository = repository;
    this.digest = digest;
  }

  /**
   * Whether the registry refused the mount request itself, not the upload: an error other than
   * authentication, permission, rate limits and an unknown or invalid repository name (those the
   * plain upload would get too). A registry that does not know the parameters should ignore them;
   * one that rejects them gets a HEAD and a plain upload instead.
   */
  static boolean refusedTheMount(RegistryException e) {
    int status = e.statusCode();
    boolean aboutTheRepository = e.errorCode()
        .filter(code -> code.equals("NAME_UNKNOWN") || code.equals("NAME_INVALID")).isPresent();
    return status >= 400 && status < 500 && status != 401 && status != 403 && status != 429 && !aboutTheRepository;
  }

  @Override
  public Optional<String> run(RegistryCaller caller) {
    String action = BlobPusher.action(repository, digest);
    Call call = Call.of(repository.registry(), action, "POST",
            RegistryOperation.path(repository.repository(), "blobs/uploads/")
                + "?mount=" + digest + "&from=" + repository.repository())
        .scope(Scope.push(repository.repository()))
        .expect(201, 202);
    try (Response response = caller.send(call)) {
      response.drain();
      if (response.status == 201) {
        return Optional.empty();
      }
      return Optional.of(RegistryOperation.location(response, repository.registry(), action));
    }
  }
}
