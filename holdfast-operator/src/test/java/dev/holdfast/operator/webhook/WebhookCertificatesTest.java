package dev.holdfast.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The webhook's own CA and serving certificates: what they hold, when they are renewed, and that the JDK trusts them. */
class WebhookCertificatesTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final List<String> SERVICE = List.of("holdfast.holdfast-system.svc",
      "holdfast.holdfast-system.svc.cluster.local");
  private static final WebhookCertificates.KeyMaterial ISSUED = WebhookCertificates.issue(SERVICE, NOW);

  private static X509Certificate certificate(String pem) {
    return WebhookCertificates.certificate(pem);
  }

  /** The subject alternative names as {@code TYPE:value} (2 is DNS, 7 is IP). */
  private static List<String> alternatives(String pem) throws Exception {
    List<String> names = new ArrayList<>();
    certificate(pem).getSubjectAlternativeNames().forEach(entry -> names.add(entry.get(0) + ":" + entry.get(1)));
    return names;
  }

  /** Validates the served chain (the serving certificate) against the CA with the JDK's PKIX, at {@code at}. */
  private static void validate(WebhookCertificates.KeyMaterial material, String caPem, Instant at) throws Exception {
    var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate(material.certificate())));
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(certificate(caPem), null)));
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(at));
    CertPathValidator.getInstance("PKIX").validate(path, parameters);
  }

  // --- issue and renew ---

  @Test
  void issueMakesACaAndAServingCertificateItSigned() throws Exception {
    X509Certificate ca = certificate(ISSUED.caCertificate());
    X509Certificate serving = certificate(ISSUED.certificate());

    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(ca.getSubjectX500Principal()).isEqualTo(ca.getIssuerX500Principal());
    ca.verify(ca.getPublicKey());
    assertThat(serving.getBasicConstraints()).isEqualTo(-1);
    assertThat(serving.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(serving.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(serving.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    serving.verify(ca.getPublicKey());
    assertThat(serving.getPublicKey()).isInstanceOf(ECPublicKey.class);
    assertThat(((ECPublicKey) serving.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(serving.getSigAlgName()).isEqualTo("SHA256withECDSA");
  }

  @Test
  void validityRunsFromFiveMinutesBeforeNowForAYearAndTheCaForTenYears() {
    X509Certificate ca = certificate(ISSUED.caCertificate());
    X509Certificate serving = certificate(ISSUED.certificate());

    assertThat(serving.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
    assertThat(serving.getNotAfter().toInstant()).isEqualTo(NOW.plus(WebhookCertificates.SERVING_VALIDITY));
    assertThat(ca.getNotAfter().toInstant()).isEqualTo(NOW.plus(WebhookCertificates.CA_VALIDITY));
  }

  @Test
  void renewKeepsTheCaAndIssuesANewKeyAndCertificate() throws Exception {
    Instant later = NOW.plus(Duration.ofDays(250));

    WebhookCertificates.KeyMaterial renewed = WebhookCertificates.renew(ISSUED, SERVICE, later);

    assertThat(renewed.caCertificate()).isEqualTo(ISSUED.caCertificate());
    assertThat(renewed.caKey()).isEqualTo(ISSUED.caKey());
    assertThat(renewed.certificate()).isNotEqualTo(ISSUED.certificate());
    assertThat(renewed.key()).isNotEqualTo(ISSUED.key());
    X509Certificate serving = certificate(renewed.certificate());
    assertThat(serving.getSerialNumber()).isNotEqualTo(certificate(ISSUED.certificate()).getSerialNumber());
    assertThat(serving.getNotAfter().toInstant()).isEqualTo(later.plus(WebhookCertificates.SERVING_VALIDITY));
    // The CA bundle the API server holds still validates the new certificate.
    validate(renewed, ISSUED.caCertificate(), later);
  }

  @Test
  void issueMakesANewCaEachTime() {
    WebhookCertificates.KeyMaterial other = WebhookCertificates.issue(SERVICE, NOW);

    assertThat(other.caCertificate()).isNotEqualTo(ISSUED.caCertificate());
    assertThat(other.caKey()).isNotEqualTo(ISSUED.caKey());
  }

  // --- subject alternative names ---

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      holdfast.holdfast-system.svc,holdfast.holdfast-system.svc.cluster.local | 2:holdfast.holdfast-system.svc,2:holdfast.holdfast-system.svc.cluster.local
      127.0.0.1                                                                | 7:127.0.0.1
      localhost,127.0.0.1                                                      | 2:localhost,7:127.0.0.1
      10.96.0.12                                                               | 7:10.96.0.12
      ::1                                                                      | 7:0:0:0:0:0:0:0:1
      fd00::5:1                                                                | 7:fd00:0:0:0:0:0:5:1
      [::1]                                                                    | 7:0:0:0:0:0:0:0:1
      """)
  void dnsNamesAndAddressesBecomeTheirKindOfAlternativeName(String names, String expected) throws Exception {
    WebhookCertificates.KeyMaterial material = WebhookCertificates.issue(List.of(names.split(",")), NOW);

    assertThat(alternatives(material.certificate())).containsExactly(expected.split(","));
    assertThat(WebhookCertificates.needsRenewal(material, List.of(names.split(",")), NOW)).isFalse();
  }

  @Test
  void theFirstNameIsTheSubject() {
    assertThat(certificate(ISSUED.certificate()).getSubjectX500Principal().getName())
        .isEqualTo("CN=holdfast.holdfast-system.svc");
    assertThat(certificate(WebhookCertificates.issue(List.of(), NOW).certificate()).getSubjectX500Principal()
        .getName()).isEqualTo("CN=holdfast-webhook");
  }

  // --- when to renew ---

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      at issue                                 | PT0S        | false
      half a year on                           | P182D       | false
      a minute before a third is left          | P243DT7H57M | false
      a minute after a third is left           | P243DT7H59M | true
      a day before expiry                      | P364D       | true
      after expiry                             | P400D       | true
      """)
  void renewalComesWhenAThirdOfTheValidityIsLeft(String when, Duration after, boolean expected) {
    // Valid from NOW - 5 min to NOW + 365 d: a third of that is 121 d 16 h 1 min 40 s, which is
    // what is left at NOW + 243 d 7 h 58 min 20 s.
    Instant threshold = NOW.plus(WebhookCertificates.SERVING_VALIDITY)
        .minus(WebhookCertificates.SERVING_VALIDITY.plus(Duration.ofMinutes(5)).dividedBy(3));
    Instant at = NOW.plus(after);

    assertThat(WebhookCertificates.needsRenewal(ISSUED, SERVICE, at)).as(when + " (threshold " + threshold + ")")
        .isEqualTo(expected);
  }

  @Test
  void renewalComesExactlyAtTheThird() {
    Instant threshold = NOW.plus(WebhookCertificates.SERVING_VALIDITY)
        .minus(WebhookCertificates.SERVING_VALIDITY.plus(Duration.ofMinutes(5)).dividedBy(3));

    assertThat(WebhookCertificates.needsRenewal(ISSUED, SERVICE, threshold.minusSeconds(1))).isFalse();
    assertThat(WebhookCertificates.needsRenewal(ISSUED, SERVICE, threshold.plusSeconds(1))).isTrue();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      holdfast.holdfast-system.svc                                              | false
      holdfast.holdfast-system.svc.cluster.local,holdfast.holdfast-system.svc   | false
      holdfast.other.svc                                                        | true
      holdfast.holdfast-system.svc,127.0.0.1                                    | true
      """)
  void renewalComesWhenANameIsMissing(String names, boolean expected) {
    assertThat(WebhookCertificates.needsRenewal(ISSUED, List.of(names.split(",")), NOW)).isEqualTo(expected);
  }

  @Test
  void aRenewedCertificateForNewNamesHoldsThemAndNeedsNoFurtherRenewal() throws Exception {
    List<String> moved = List.of("webhook.holdfast.svc", "127.0.0.1");

    WebhookCertificates.KeyMaterial renewed = WebhookCertificates.renew(ISSUED, moved, NOW);

    assertThat(alternatives(renewed.certificate())).containsExactly("2:webhook.holdfast.svc", "7:127.0.0.1");
    assertThat(WebhookCertificates.needsRenewal(renewed, moved, NOW)).isFalse();
  }

  // --- PEM ---

  @Test
  void certificatesAndKeysRoundTripThroughPem() throws Exception {
    X509Certificate serving = certificate(ISSUED.certificate());
    StringWriter again = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(again)) {
      writer.writeObject(serving);
    }

    assertThat(again.toString()).isEqualTo(ISSUED.certificate());
    assertThat(ISSUED.certificate()).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(ISSUED.key()).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(ISSUED.caKey()).startsWith("-----BEGIN PRIVATE KEY-----");
    // The key read back signs what the certificate's public key verifies.
    assertThat(signs(ISSUED.key(), serving)).isTrue();
    assertThat(signs(ISSUED.caKey(), certificate(ISSUED.caCertificate()))).isTrue();
    assertThat(signs(ISSUED.caKey(), serving)).isFalse();
  }

  private static boolean signs(String keyPem, X509Certificate certificate) throws Exception {
    byte[] data = "holdfast".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(WebhookCertificates.privateKey(keyPem));
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(data);
    return verifier.verify(signature);
  }

  @Test
  void aSec1EcKeyAsOtherToolsWriteItIsReadToo() throws Exception {
    // cert-manager and openssl ecparam write "EC PRIVATE KEY" (SEC1).
    ECPrivateKey key = (ECPrivateKey) WebhookCertificates.privateKey(ISSUED.key());
    PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(key.getEncoded());
    SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(
        certificate(ISSUED.certificate()).getPublicKey().getEncoded());
    // RFC 5915 with the named curve inside, as Go's x509.MarshalECPrivateKey writes it.
    var structure = new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS(), publicKey.getPublicKeyData(),
        pkcs8.getPrivateKeyAlgorithm().getParameters());
    StringWriter sec1 = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(sec1)) {
      writer.writeObject(new PemObject("EC PRIVATE KEY", structure.getEncoded()));
    }

    assertThat(sec1.toString()).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(signs(sec1.toString(), certificate(ISSUED.certificate()))).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"", "not pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
      "-----BEGIN CERTIFICATE-----\n"})
  void textThatIsNoCertificateOrKeyIsRefusedWithAnIllegalArgument(String text) {
    assertThatThrownBy(() -> WebhookCertificates.certificate(text)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WebhookCertificates.privateKey(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aKeyIsNoCertificateAndACertificateIsNoKey() {
    assertThatThrownBy(() -> WebhookCertificates.certificate(ISSUED.key()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a PEM certificate");
    assertThatThrownBy(() -> WebhookCertificates.privateKey(ISSUED.certificate()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a PEM private key");
  }

  @Test
  void keyMaterialNeverShowsItsKeys() {
    assertThat(ISSUED.toString()).isEqualTo("KeyMaterial[certificate for " + SERVICE + ", keys not shown]")
        .doesNotContain("PRIVATE");
    assertThat(new WebhookCertificates.KeyMaterial("", "secret-ca-key", "garbage", "secret-key").toString())
        .doesNotContain("secret");
  }

  // --- the JDK trusts the chain ---

  @Test
  void theServedChainValidatesAgainstTheCaWithTheJdksPkix() throws Exception {
    validate(ISSUED, ISSUED.caCertificate(), NOW);
    validate(ISSUED, ISSUED.caCertificate(), NOW.plus(Duration.ofDays(364)));
  }

  @Test
  void theChainDoesNotValidateAgainstAnotherCaOrOutsideItsValidity() {
    WebhookCertificates.KeyMaterial other = WebhookCertificates.issue(SERVICE, NOW);

    assertThatThrownBy(() -> validate(ISSUED, other.caCertificate(), NOW))
        .isInstanceOf(CertPathValidatorException.class);
    assertThatThrownBy(() -> validate(ISSUED, ISSUED.caCertificate(), NOW.plus(Duration.ofDays(366))))
        .isInstanceOf(CertPathValidatorException.class);
    assertThatThrownBy(() -> validate(ISSUED, ISSUED.caCertificate(), NOW.minus(Duration.ofHours(1))))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void namesListsTheAlternativeNames() {
    assertThat(WebhookCertificates.names(ISSUED.certificate())).isEqualTo(SERVICE);
    assertThat(WebhookCertificates.names(WebhookCertificates.issue(List.of(), NOW).certificate())).isEmpty();
  }
}
