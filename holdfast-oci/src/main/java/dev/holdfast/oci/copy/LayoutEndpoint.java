package dev.holdfast.oci.copy;

import dev.holdfast.oci.layout.OciLayout;
import dev.holdfast.oci.layout.OciLayoutException;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.reference.Digest;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * An image in an OCI layout as a source and as a sink. Names next to this one ("sibling tags") are
 * the names that share its part before the last {@code :} after the last {@code /}: next to
 * {@code docker.io/library/nginx:1.27} lives {@code docker.io/library/nginx:sha256-<hex>.sig}; next
 * to a plain {@code latest} lives a plain {@code sha256-<hex>.sig}.
 */
final class LayoutEndpoint implements ImageSource, ImageSink {
  private final OciLayout layout;
  private final Optional<String> name;

  LayoutEndpoint(OciLayout layout, Optional<String> name) {
    this.layout = layout;
    this.name = name;
  }

  @Override
  public ImageLocation location() {
    return new ImageLocation.Layout(layout.directory(), name);
  }

  @Override
  public String limitKey() {
    return "layout " + layout.directory();
  }

  @Override
  public String blobScope() {
    return limitKey();
  }

  private String prefix() {
    String n = name.orElse("");
    int colon = n.lastIndexOf(':');
    return colon > n.lastIndexOf('/') ? n.substring(0, colon + 1) : "";
  }

  // --- source

  @Override
  public Optional<Descriptor> resolve() {
    try {
      return Optional.of(layout.resolve(name));
    } catch (OciLayoutException.NotFound e) {
      return Optional.empty();
    }
  }

  @Override
  public Manifest manifest(Descriptor descriptor) {
    return Manifest.parse(layout.readBlob(descriptor), descriptor.mediaType());
  }

  @Override
  public InputStream openBlob(Descriptor blob, boolean hash) {
    return hash ? layout.openBlob(blob) : layout.openBlobUnhashed(blob);
  }

  @Override
  public List<String> siblingTags() {
    String prefix = prefix();
    return layout.names().stream()
        .filter(n -> n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0)
        .map(n -> n.substring(prefix.length()))
        .filter(t -> !t.contains(":"))
        .toList();
  }

  @Override
  public LayoutEndpoint sibling(String tag) {
    return new LayoutEndpoint(layout, Optional.of(prefix() + tag));
  }

  @Override
  public List<Descriptor> referrers(Digest subject) {
    return List.of(); // a layout has no referrers API; the sha256-<hex> names are copied as siblings
  }

  // --- sink

  @Override
  public Optional<Descriptor> current() {
    if (name.isEmpty()) {
      return Optional.empty();
    }
    return resolve().filter(d -> layout.hasBlob(d.digest()));
  }

  @Override
  public boolean hasBlob(Descriptor blob) {
    return layout.hasBlob(blob.digest());
  }

  @Override
  public void putBlob(Descriptor blob, InputStream content) {
    // The engine gives a layout only streams that verify size and digest at their end (this sink
    // does not check digests itself): hashing again would cost CPU.
    layout.writeVerifiedBlob(blob, content);
  }

  @Override
  public boolean hasManifest(Digest digest) {
    return layout.hasBlob(digest);
  }

  @Override
  public void putManifest(Manifest manifest) {
    layout.writeBlob(manifest.descriptor(), manifest.raw());
  }

  @Override
  public void tag(Manifest manifest) {
    layout.tag(manifest.descriptor(), name);
  }

  @Override
  public String toString() {
    return location().toString();
  }
}
