package dev.holdfast.oci.copy;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.ImageIndex;
import dev.holdfast.oci.manifest.ImageManifest;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.manifest.Platform;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a copy back by digest, as a workload would pull it, before anything points at it: every
 * manifest is fetched by digest (the client checks each against its digest), and every blob it
 * names is asked for with HEAD and must have the size its descriptor gives. Foreign
 * (non-distributable) layers live at their URLs and are not asked for, as the copy engine does not
 * copy them either.
 */
public final class CopyVerifier {
  private final RegistryClient client;

  /** A verifier that reads through {@code client}. */
  public CopyVerifier(RegistryClient client) {
    this.client = client;
  }

  /**
   * What was read back.
   *
   * @param image the copy, by digest
   * @param platforms the platforms of an index's entries, in order; empty for a single manifest
   * @param size bytes of every manifest and blob, each counted once
   * @param manifests manifests read
   * @param blobs blobs found
   */
  public record Verified(ImageReference image, List<Platform> platforms, long size, int manifests, int blobs) {
    public Verified {
      platforms = List.copyOf(platforms);
    }
  }

  /**
   * Verifies the copy {@code image}, which must name a digest.
   *
   * @throws CopyException.VerificationFailed naming the copy and what is missing or wrong
   * @throws dev.holdfast.oci.registry.RegistryException when the destination cannot be read
   */
  public Verified verify(ImageReference image) {
    Digest digest = image.digest().orElseThrow(() ->
        new IllegalArgumentException("verify " + image + ": a copy is verified by digest, and it names none"));
    Reading tally = new Reading(image.withoutTag());
    List<Platform> platforms = new ArrayList<>();
    Manifest top = tally.manifest(digest);
    if (top instanceof ImageIndex index) {
      for (Descriptor child : index.manifests()) {
        child.platform().ifPresent(platforms::add);
        if (tally.manifest(child.digest()) instanceof ImageManifest manifest) {
          tally.blobs(manifest);
        }
      }
    } else if (top instanceof ImageManifest manifest) {
      tally.blobs(manifest);
    }
    return new Verified(image, platforms, tally.size, tally.manifests, tally.blobs);
  }

  private final class Reading {
    private final ImageReference repository;
    private final Set<Digest> seen = new HashSet<>();
    private long size;
    private int manifests;
    private int blobs;

    Reading(ImageReference repository) {
      this.repository = repository;
    }

    Manifest manifest(Digest digest) {
      Manifest manifest = client.getManifest(repository.withDigest(digest));
      if (seen.add(digest)) {
        size += manifest.size();
        manifests++;
      }
      return manifest;
    }

    void blobs(ImageManifest manifest) {
      List<Descriptor> descriptors = new ArrayList<>();
      descriptors.add(manifest.config());
      descriptors.addAll(manifest.layers());
      for (Descriptor blob : descriptors) {
        boolean foreign = !blob.urls().isEmpty() && (blob.mediaType().contains("foreign")
            || blob.mediaType().contains("nondistributable"));
        if (foreign || !seen.add(blob.digest())) {
          continue;
        }
        Optional<Long> found = client.headBlob(repository, blob.digest());
        if (found.isEmpty()) {
          throw new CopyException.VerificationFailed("verify copy " + repository.withDigest(manifest.digest())
              + ": blob " + blob.digest() + " is missing at the destination");
        }
        if (found.get() != blob.size()) {
          throw new CopyException.VerificationFailed("verify copy " + repository.withDigest(manifest.digest())
              + ": blob " + blob.digest() + " has " + found.get() + " bytes at the destination, the manifest says "
              + blob.size());
        }
        size += blob.size();
        blobs++;
      }
    }
  }
}
