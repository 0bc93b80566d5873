package dev.holdfast.oci.tls;

import dev.holdfast.oci.FileErrors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The certificates of a PEM bundle, with the blocks that were skipped and why.
 *
 * <p>Each {@code -----BEGIN CERTIFICATE-----} block is decoded on its own, so one bad block does
 * not lose the others. Text outside blocks is ignored. Blocks of other kinds (keys, CSRs) are
 * skipped without being decoded: their content never reaches a message.
 *
 * @param source where the bundle came from (a path, a config key), for messages
 * @param certificates the valid certificates, in order
 * @param skipped the blocks that were not used
 */
public record PemBundle(String source, List<X509Certificate> certificates, List<SkippedBlock> skipped) {

  private static final String CERTIFICATE = "CERTIFICATE";

  public PemBundle {
    Objects.requireNonNull(source, "source");
    certificates = List.copyOf(certificates);
    skipped = List.copyOf(skipped);
  }

  /**
   * A PEM block that was skipped.
   *
   * @param position the block's number in the bundle, from 1, counting every BEGIN line
   * @param line the line its {@code -----BEGIN} is on, from 1
   * @param reason why it was skipped (never key material)
   */
  public record SkippedBlock(int position, int line, String reason) {
    @Override
    public String toString() {
      return "block " + position + " (line " + line + "): " + reason;
    }
  }

  /**
   * Parses PEM text; bad blocks are skipped and recorded.
   *
   * @throws InvalidTrustBundleException naming the source and every block's problem when no block
   *     is a valid certificate
   */
  public static PemBundle parse(String source, String pemText) {
    List<X509Certificate> certificates = new ArrayList<>();
    List<SkippedBlock> skipped = new ArrayList<>();
    for (PemBlocks.Block block : PemBlocks.split(pemText)) {
      String problem = problem(block);
      if (problem != null) {
        skipped.add(new SkippedBlock(block.position(), block.line(), problem));
      } else {
        decode(block.base64(), block.position(), block.line(), certificates, skipped);
      }
    }
    if (certificates.isEmpty()) {
      String reasons = skipped.isEmpty()
          ? "it has no -----BEGIN CERTIFICATE----- block"
          : skipped.stream().map(SkippedBlock::toString).collect(Collectors.joining("; "));
      throw new InvalidTrustBundleException(
          "trust bundle " + source + " contains no valid certificate: " + reasons);
    }
    return new PemBundle(source, certificates, skipped);
  }

  /** Why a block cannot be a certificate, before decoding it; null when it may be one. */
  private static String problem(PemBlocks.Block block) {
    String label = block.label();
    if (!block.terminated()) {
      return "BEGIN " + label + " without a matching END line";
    }
    if (!label.equals(CERTIFICATE)) {
      return "not a certificate (a " + label + " block); only CERTIFICATE blocks are used";
    }
    if (!block.endLabel().equals(label)) {
      return "BEGIN CERTIFICATE ends with END " + block.endLabel();
    }
    return block.headers() ? "has PEM headers, which certificates must not have" : null;
  }

  private static void decode(String base64, int position, int line,
      List<X509Certificate> certificates, List<SkippedBlock> skipped) {
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      skipped.add(new SkippedBlock(position, line, "invalid base64: " + e.getMessage()));
      return;
    }
    if (der.length == 0) {
      skipped.add(new SkippedBlock(position, line, "empty block"));
      return;
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      ByteArrayInputStream in = new ByteArrayInputStream(der);
      X509Certificate certificate = (X509Certificate) factory.generateCertificate(in);
      if (in.available() > 0) {
        skipped.add(new SkippedBlock(position, line, in.available() + " bytes after the certificate"));
        return;
      }
      certificates.add(certificate);
    } catch (CertificateException | RuntimeException e) {
      skipped.add(new SkippedBlock(position, line, "not a valid X.509 certificate (DER): " + e.getMessage()));
    }
  }

  /**
   * Reads and parses a PEM file.
   *
   * @throws InvalidTrustBundleException naming the file when it cannot be read or has no valid
   *     certificate
   */
  public static PemBundle read(Path file) {
    String text;
    try {
      // ISO-8859-1 maps every byte: PEM is ASCII, and stray bytes fail per block, not per file
      text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new InvalidTrustBundleException("cannot read trust bundle " + file + ": " + FileErrors.reason(e), e);
    }
    return parse(file.toString(), text);
  }

  /** Human-readable warnings, one per skipped block, naming the source. */
  public List<String> warnings() {
    return skipped.stream().map(s -> "trust bundle " + source + ": skipped " + s).toList();
  }

  /** Source, number of certificates and of skipped blocks. */
  @Override
  public String toString() {
    return "PemBundle[" + source + ", " + certificates.size() + " certificates, "
        + skipped.size() + " skipped]";
  }
}
