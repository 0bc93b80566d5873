package dev.holdfast.oci.registry;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.ImageIndex;
import dev.holdfast.oci.manifest.InvalidManifestException;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.manifest.MediaTypes;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The manifests that refer to a subject (signatures, SBOMs): the OCI 1.1 referrers API {@code GET
 * /v2/<name>/referrers/<digest>}, or, when the registry does not have it (404), the fallback tag
 * schema: the index tagged {@code <alg>-<hex>}. No referrers give an empty index.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers">
 *     listing referrers</a>
 */
final class ReferrersPuller implements RegistryOperation<ImageIndex> {

  private final ImageReference subject;
  private final Optional<String> artifactType;

  ReferrersPuller(ImageReference subject, Optional<String> artifactType) {
    this.subject = subject;
    this.artifactType = artifactType;
  }

  @Override
  public ImageIndex run(RegistryCaller caller) {
    Digest digest = subject.digest().orElseThrow(() -> new IllegalArgumentException(
        "listing referrers needs a reference with a digest, got " + subject));
    String action = "list referrers of " + subject.name() + "@" + digest;
    String path = RegistryOperation.path(subject.repository(), "referrers/" + digest)
        + artifactType.map(t -> "?artifactType=" + URLEncoder.encode(t, StandardCharsets.UTF_8)).orElse("");
    Call call = Call.of(subject.registry(), action, "GET", path)
        .scope(Scope.pull(subject.repository()))
        .header("Accept", MediaTypes.OCI_INDEX)
        .expect(200, 404);
    boolean filtered;
    Manifest manifest;
    try (Response response = caller.send(call)) {
      if (response.status == 404) {
        response.drain();
        return fallback(caller, digest);
      }
      filtered = response.headers("OCI-Filters-Applied").stream()
          .anyMatch(v -> v.contains("artifactType"));
      byte[] raw = response.readAtMost(Manifest.MAX_SIZE);
      if (raw == null) {
        throw new ManifestTooLargeException(subject.registry(), action, Manifest.MAX_SIZE);
      }
      manifest = Manifest.parse(raw, MediaTypes.OCI_INDEX);
    } catch (IOException e) {
      throw new RegistryUnavailableException(subject.registry(), action, 0, null,
          "reading the referrers failed: " + e.getMessage(), e);
    } catch (InvalidManifestException e) {
      throw new InvalidManifestException(e.problem(), action + ": " + e.getMessage(), e);
    }
    if (!(manifest instanceof ImageIndex index)) {
      throw new RegistryException(subject.registry(), action, 200, null,
          "the referrers response is not an image index", null);
    }
    return filtered ? index : filter(index);
  }

  private ImageIndex fallback(RegistryCaller caller, Digest digest) {
    ImageReference tag = subject.withTag(digest.algorithm() + "-" + digest.encoded()).withoutDigest();
    Manifest manifest;
    try {
      manifest = new ManifestPuller(tag).run(caller);
    } catch (NotFoundException e) {
      if (e.isRepositoryMissing()) {
        throw e;
      }
      return ImageIndex.of(MediaTypes.OCI_INDEX, List.of());
    }
    if (!(manifest instanceof ImageIndex index)) {
      throw new RegistryException(subject.registry(), "list referrers of " + subject, 0, null,
          "the fallback tag " + tag.tag().orElseThrow() + " is not an image index", null);
    }
    return filter(index);
  }

  private ImageIndex filter(ImageIndex index) {
    if (artifactType.isEmpty()) {
      return index;
    }
    List<Descriptor> matching = index.manifests().stream()
        .filter(d -> d.artifactType().equals(artifactType))
        .toList();
    return matching.size() == index.manifests().size() ? index : index.withManifests(matching);
  }
}
