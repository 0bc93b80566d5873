package dev.holdfast.oci.copy;

/**
 * Who hashes the blobs a copy streams, to check them against their digests. Either way, no tag
 * and no manifest is written before every blob under it has been checked by someone.
 */
public enum BlobHashing {
  /**
   * Each blob is hashed once, where it is stored: by the engine when it writes an OCI layout, and
   * when a destination registry does not check digests; by the destination registry when it does.
   * Whether it does is found out once per registry ({@code RegistryClient.verifiesBlobDigests}): a
   * registry that refuses an upload with a wrong digest ({@code 400 DIGEST_INVALID}) checks every
   * upload, and hashing there too would only spend the client's CPU a second time. A blob it
   * refuses is streamed again and hashed by the engine, so that a damaged source fails with both
   * digests named.
   */
  AUTO,
  /** The engine hashes every blob it streams, also into registries that check them again. */
  ALWAYS
}
