package dev.holdfast.oci.tls;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The certificates of a PEM bundle, with the blocks that were skipped and why.
 *
 * @param source where the bundle came from (a path, a config key), for messages
 * @param certificates the valid certificates, in order
 * @param skipped the blocks that were not used
 */
public record PemBundle(String source, List<X509Certificate> certificates, List<SkippedBlock> skipped) {

  public PemBundle {
    certificates = List.copyOf(certificates);
    skipped = List.copyOf(skipped);
  }

  /**
   * A PEM block that was skipped.
   *
   * @param position the block's number in the bundle, from 1
   * @param line the line its {@code -----BEGIN} is on, from 1
   * @param reason why it was skipped (never key material)
   */
  public record SkippedBlock(int position, int line, String reason) {}

  /**
   * Parses PEM text; bad blocks are skipped and recorded.
   *
   * @throws InvalidTrustBundleException when no block is a valid certificate
   */
  public static PemBundle parse(String source, String pemText) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Reads and parses a PEM file. */
  public static PemBundle read(Path file) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
