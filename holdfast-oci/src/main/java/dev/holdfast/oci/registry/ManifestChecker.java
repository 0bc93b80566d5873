package dev.holdfast.oci.registry;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.MediaTypes;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import java.util.Optional;

/** {@code HEAD /v2/<name>/manifests/<ref>}: the manifest's descriptor, or empty when absent. */
final class ManifestChecker implements RegistryOperation<Optional<Descriptor>> {

  private final ImageReference image;

  ManifestChecker(ImageReference image) {
    this.image = image;
  }

  @Override
  public Optional<Descriptor> run(RegistryCaller caller) {
    String action = "check manifest " + image;
    Call call = Call.of(image.registry(), action, "HEAD",
            RegistryOperation.path(image.repository(), "manifests/" + image.manifestReference()))
        .scope(Scope.pull(image.repository()))
        .header("Accept", MediaTypes.ACCEPT)
        .expect(200, 404);
    try (Response response = caller.send(call)) {
      if (response.status == 404) {
        return Optional.empty();
      }
      Optional<Digest> digest = response.header("Docker-Content-Digest").flatMap(ManifestChecker::digest);
      Optional<Long> size = response.header("Content-Length").flatMap(ManifestChecker::number);
      Optional<String> type = response.header("Content-Type").map(MediaTypes::normalize)
          .filter(MediaTypes::isManifest);
      if (digest.isEmpty() || size.isEmpty() || type.isEmpty()) {
        // the registry does not describe the manifest in HEAD: pull it and describe it ourselves
        return Optional.of(new ManifestPuller(image).run(caller).descriptor());
      }
      if (image.digest().isPresent() && !image.digest().get().equals(digest.get())) {
        throw new DigestMismatchException(image.registry(), action, image.digest().get(),
            digest.get(), -1, size.get());
      }
      return Optional.of(Descriptor.of(type.get(), digest.get(), size.get()));
    }
  }

  static Optional<Digest> digest(String text) {
    try {
      return Optional.of(Digest.parse(text.trim()));
    } catch (InvalidReferenceException e) {
      return Optional.empty();
    }
  }

  static Optional<Long> number(String text) {
    try {
      return Optional.of(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
