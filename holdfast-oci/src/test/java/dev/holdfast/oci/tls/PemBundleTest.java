package dev.holdfast.oci.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.tls.PemBundle.SkippedBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemBundleTest {
  @TempDir static Path dir;
  static TestCertificates certs;
  static String ca;
  static String other;
  static String key;

  @BeforeAll
  static void generate() throws Exception {
    certs = TestCertificates.generate(dir);
    ca = TestCertificates.read(certs.caCert).strip();
    other = TestCertificates.read(certs.otherCert).strip();
    key = TestCertificates.read(certs.caKey).strip();
  }

  static String body(String pem) {
    return pem.substring(pem.indexOf('\n') + 1, pem.lastIndexOf('\n'));
  }

  @Test
  void mixedBundleKeepsGoodBlocksAndReportsBadOnesByPosition() {
    String badBase64 = "-----BEGIN CERTIFICATE-----\nMIIB$$$not*base64\n-----END CERTIFICATE-----";
    String caBody = body(ca).replace("\n", "");
    String truncated = "-----BEGIN CERTIFICATE-----\n" + caBody.substring(0, caBody.length() / 2 / 4 * 4)
        + "\n-----END CERTIFICATE-----";
    String text = String.join("\n",
        "# bundle for registry.example.com",               // 1
        ca,                                                 // block 1
        "some garbage between blocks",
        badBase64,                                          // block 2
        truncated,                                          // block 3
        key,                                                // block 4
        "more garbage",
        other);                                             // block 5
    int badLine = lineOf(text, badBase64);
    int truncatedLine = lineOf(text, truncated);
    int keyLine = lineOf(text, key);

    PemBundle bundle = PemBundle.parse("bundle.pem", text);

    assertThat(bundle.certificates()).extracting(c -> c.getSubjectX500Principal().getName())
        .containsExactly("CN=Holdfast Test CA", "CN=Holdfast Other CA");
    assertThat(bundle.skipped()).extracting(SkippedBlock::position).containsExactly(2, 3, 4);
    assertThat(bundle.skipped()).extracting(SkippedBlock::line).containsExactly(badLine, truncatedLine, keyLine);
    assertThat(bundle.skipped().get(0).reason()).contains("invalid base64");
    assertThat(bundle.skipped().get(1).reason()).contains("not a valid X.509 certificate");
    assertThat(bundle.skipped().get(2).reason()).contains("PRIVATE KEY").contains("not a certificate");
    assertThat(bundle.warnings()).hasSize(3).allSatisfy(w -> assertThat(w).contains("bundle.pem"));
    assertThat(bundle.warnings().get(2)).contains("block 4").contains("line " + keyLine);
  }

  @Test
  void keyMaterialNeverAppearsInReasonsOrErrors() {
    String keyBody = body(key);
    PemBundle bundle = PemBundle.parse("b.pem", ca + "\n" + key);
    assertThat(bundle.toString() + bundle.warnings() + bundle.skipped()).doesNotContain(keyBody.lines().toList().get(0));
    assertThatThrownBy(() -> PemBundle.parse("key-only.pem", key))
        .isInstanceOf(InvalidTrustBundleException.class)
        .hasMessageContaining("key-only.pem")
        .hasMessageContaining("PRIVATE KEY")
        .hasMessageNotContaining(keyBody.lines().toList().get(0));
  }

  @Test
  void bundleWithoutAnyValidCertificateIsAnErrorNamingSourceAndReasons() {
    assertThatThrownBy(() -> PemBundle.parse("empty.pem", "just text\n"))
        .isInstanceOf(InvalidTrustBundleException.class)
        .hasMessageContaining("empty.pem").hasMessageContaining("no -----BEGIN CERTIFICATE----- block");
    assertThatThrownBy(() -> PemBundle.parse("bad.pem",
        "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nAAAA"))
        .isInstanceOf(InvalidTrustBundleException.class)
        .hasMessageContaining("bad.pem")
        .hasMessageContaining("block 1 (line 1): invalid base64")
        .hasMessageContaining("block 2 (line 4): BEGIN CERTIFICATE without a matching END line");
  }

  @Test
  void unterminatedBlockDoesNotSwallowTheNextOne() {
    String text = "-----BEGIN CERTIFICATE-----\nAAAA\n" + ca;
    PemBundle bundle = PemBundle.parse("t.pem", text);
    assertThat(bundle.certificates()).hasSize(1);
    assertThat(bundle.skipped()).singleElement()
        .satisfies(s -> assertThat(s.reason()).contains("without a matching END"));
  }

  @Test
  void windowsLineEndingsAndIndentationAreAccepted() {
    PemBundle bundle = PemBundle.parse("crlf.pem", ("  " + ca.replace("\n", "\r\n  ")) + "\r\n");
    assertThat(bundle.certificates()).hasSize(1);
    assertThat(bundle.skipped()).isEmpty();
  }

  @Test
  void mismatchedEndAndHeadersAreSkipped() {
    String mismatched = ca.replace("-----END CERTIFICATE-----", "-----END X509 CRL-----");
    String withHeaders = ca.replace("-----BEGIN CERTIFICATE-----\n", "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n");
    PemBundle bundle = PemBundle.parse("m.pem", mismatched + "\n" + withHeaders + "\n" + other);
    assertThat(bundle.certificates()).hasSize(1);
    assertThat(bundle.skipped()).extracting(SkippedBlock::reason)
        .satisfiesExactly(
            r -> assertThat(r).contains("END X509 CRL"),
            r -> assertThat(r).contains("headers"));
  }

  @Test
  void readNamesTheFile() throws Exception {
    Path file = dir.resolve("bundle.pem");
    Files.writeString(file, other + "\n");
    PemBundle bundle = PemBundle.read(file);
    assertThat(bundle.source()).isEqualTo(file.toString());
    X509Certificate certificate = bundle.certificates().get(0);
    assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=Holdfast Other CA");
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> PemBundle.read(missing))
        .isInstanceOf(InvalidTrustBundleException.class).hasMessageContaining(missing.toString());
  }

  static int lineOf(String text, String block) {
    int index = text.indexOf(block);
    return (int) text.substring(0, index).chars().filter(c -> c == '\n').count() + 1;
  }
}
