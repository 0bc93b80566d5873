package dev.holdfast.oci.copy;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.NotFoundException;
import dev.holdfast.oci.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** A registry repository as a source and as a sink, over {@link RegistryClient}. */
final class RegistryEndpoint implements ImageSource, ImageSink {
  private final RegistryClient client;
  private final ImageReference reference;

  RegistryEndpoint(RegistryClient client, ImageReference reference) {
    this.client = client;
    this.reference = reference;
  }

  @Override
  public ImageLocation location() {
    return new ImageLocation.Registry(reference);
  }

  @Override
  public String limitKey() {
    return "registry " + reference.registry();
  }

  @Override
  public String blobScope() {
    return reference.name();
  }

  @Override
  public Optional<String> registry() {
    return Optional.of(reference.registry());
  }

  @Override
  public Optional<String> repository() {
    return Optional.of(reference.repository());
  }

  @Override
  public Optional<String> repositoryIn(String registry) {
    return reference.registry().equals(registry) ? Optional.of(reference.repository()) : Optional.empty();
  }

  private ImageReference byDigest(Digest digest) {
    return reference.withDigest(digest).withoutTag(); // withoutTag() first would keep the tag
  }

  // --- source

  @Override
  public Optional<Descriptor> resolve() {
    return client.headManifest(reference);
  }

  @Override
  public Manifest manifest(Descriptor descriptor) {
    return client.getManifest(byDigest(descriptor.digest()));
  }

  @Override
  public Optional<Manifest> fetch() {
    try {
      return Optional.of(client.getManifest(reference));
    } catch (NotFoundException e) {
      if (e.statusCode() != 404) { // resolve()'s HEAD reads only a 404 as "no such image"
        throw e;
      }
      return Optional.empty();
    }
  }

  @Override
  public InputStream openBlob(Descriptor blob, boolean hash) {
    return hash ? client.openBlob(reference, blob) : client.openBlobUnhashed(reference, blob);
  }

  @Override
  public List<String> siblingTags() {
    try {
      return client.listTags(reference);
    } catch (NotFoundException e) {
      return List.of();
    }
  }

  @Override
  public RegistryEndpoint sibling(String tag) {
    return new RegistryEndpoint(client, reference.withoutDigest().withTag(tag));
  }

  @Override
  public List<Descriptor> referrers(Digest subject) {
    return client.referrers(byDigest(subject), Optional.empty()).manifests();
  }

  // --- sink

  @Override
  public Optional<Descriptor> current() {
    if (reference.tag().isEmpty()) {
      return Optional.empty();
    }
    return client.headManifest(reference.withoutDigest());
  }

  @Override
  public boolean hasBlob(Descriptor blob) {
    return client.headBlob(reference, blob.digest()).isPresent();
  }

  @Override
  public boolean mountBlob(Descriptor blob, String fromRepository) {
    return client.mountBlob(reference, blob.digest(), fromRepository);
  }

  @Override
  public boolean checksDigests() {
    return client.verifiesBlobDigests(reference);
  }

  @Override
  public void putBlob(Descriptor blob, InputStream content) {
    client.pushBlob(reference, blob, content);
  }

  @Override
  public boolean putBlobUnlessPresent(Descriptor blob, Supplier<InputStream> content) throws IOException {
    Optional<String> session = client.openUploadUnlessPresent(reference, blob.digest());
    if (session.isEmpty()) {
      return false;
    }
    InputStream in;
    try {
      in = content.get();
    } catch (RuntimeException e) {
      client.cancelUpload(reference, session.get());
      throw e;
    }
    try (in) {
      client.pushBlob(reference, blob, in, session.get());
    }
    return true;
  }

  @Override
  public boolean hasManifest(Digest digest) {
    return client.headManifest(byDigest(digest)).isPresent();
  }

  @Override
  public void putManifest(Manifest manifest) {
    client.putManifest(byDigest(manifest.digest()), manifest);
  }

  @Override
  public void putAndTag(Manifest manifest) {
    if (reference.tag().isPresent()) {
      client.putManifest(reference.withoutDigest(), manifest); // stores it and moves the tag, in one PUT
    } else {
      putManifest(manifest);
    }
  }

  @Override
  public void tag(Manifest manifest) {
    if (reference.tag().isPresent()) {
      client.putManifest(reference.withoutDigest(), manifest);
    }
  }

  @Override
  public String toString() {
    return reference.toString();
  }
}
