package dev.holdfast.oci.registry;

import dev.holdfast.oci.reference.ImageReference;

/**
 * {@code DELETE /v2/<name>/manifests/<ref>}: a tag (where the registry deletes tags, as distribution
 * 3 and most others do) or a manifest by digest (which takes every tag pointing to it with it).
 */
final class ManifestDeleter implements RegistryOperation<RegistryClient.Deletion> {

  private final ImageReference image;

  ManifestDeleter(ImageReference image) {
    this.image = image;
  }

  @Override
  public RegistryClient.Deletion run(RegistryCaller caller) {
    Call call = Call.of(image.registry(), "delete manifest " + image, "DELETE",
            RegistryOperation.path(image.repository(), "manifests/" + image.manifestReference()))
        .scope(Scope.delete(image.repository()))
        .expect(200, 202, 404, 400, 405);
    try (Response response = caller.send(call)) {
      return switch (response.status) {
        case 200, 202 -> RegistryClient.Deletion.DELETED;
        case 404 -> RegistryClient.Deletion.NOT_FOUND;
        default -> RegistryClient.Deletion.UNSUPPORTED; // 405, or distribution 2's 400 for a tag
      };
    }
  }
}
