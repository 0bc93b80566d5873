package dev.holdfast.oci.tls;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  private static final Pattern BEGIN = Pattern.compile("^-----BEGIN ([A-Z0-9 ]*)-----\\s*$");
  private static final Pattern END = Pattern.compile("^-----END ([A-Z0-9 ]*)-----\\s*$");
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
    String[] lines = pemText.split("\\r?\\n|\\r", -1);
    int position = 0;
    for (int i = 0; i < lines.length; i++) {
      Matcher begin = BEGIN.matcher(lines[i].strip());
      if (!begin.matches()) {
        continue;
      }
      position++;
      int beginLine = i + 1;
      String label = begin.group(1);
      StringBuilder body = new StringBuilder();
      String endLabel = null;
      int j = i + 1;
      for (; j < lines.length; j++) {
        String line = lines[j].strip();
        Matcher end = END.matcher(line);
        if (end.matches()) {
          endLabel = end.group(1);
          break;
        }
        if (BEGIN.matcher(line).matches()) {
          break; // a new block starts: this one has no END
        }
        body.append(line);
      }
      if (endLabel == null) {
        skipped.add(new SkippedBlock(position, beginLine, "BEGIN " + label + " without a matching END line"));
        i = j - 1;
        continue;
      }
      i = j;
      if (!label.equals(CERTIFICATE)) {
        skipped.add(new SkippedBlock(position, beginLine,
            "not a certificate (a " + label + " block); only CERTIFICATE blocks are used"));
        continue;
      }
      if (!endLabel.equals(label)) {
        skipped.add(new SkippedBlock(position, beginLine, "BEGIN CERTIFICATE ends with END " + endLabel));
        continue;
      }
      decode(body.toString(), position, beginLine, certificates, skipped);
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

  private static void decode(String base64, int position, int line,
      List<X509Certificate> certificates, List<SkippedBlock> skipped) {
    if (base64.contains(":")) {
      skipped.add(new SkippedBlock(position, line, "has PEM headers, which certificates must not have"));
      return;
    }
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
      throw new InvalidTrustBundleException("cannot read trust bundle " + file + ": " + e, e);
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
