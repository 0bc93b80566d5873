package dev.holdfast.oci.testing;

import java.util.Objects;

/** A content descriptor written by {@link SyntheticImage}: media type, digest and size of a blob. */
public record Descriptor(String mediaType, String digest, long size) {

  /** Validates the parts. */
  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (!digest.matches("sha256:[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a sha256 digest: " + digest);
    }
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + digest);
    }
  }

  /** The hex part of the digest, i.e. the file name under {@code blobs/sha256/}. */
  public String hex() {
    return digest.substring("sha256:".length());
  }
}
