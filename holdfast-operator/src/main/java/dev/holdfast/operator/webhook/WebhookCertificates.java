package dev.holdfast.operator.webhook;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The webhook's own certificates: a CA, and a serving certificate it signed for the webhook's host
 * names and addresses. ECDSA P-256 keys, signed with the JDK's providers (Bouncy Castle only builds
 * and parses the X.509 and PEM structures). A serving certificate is renewed when a third of its
 * validity is left, by the same CA, so the CA bundle the API server holds stays valid.
 */
public final class WebhookCertificates {
  /** How long the CA is valid. */
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  /** How long a serving certificate is valid. */
  public static final Duration SERVING_VALIDITY = Duration.ofDays(365);

  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookCertificates() {}

  /**
   * A CA and a serving certificate, all PEM.
   *
   * @param caCertificate the CA, for the webhook configuration's caBundle
   * @param caKey the CA's key, to sign the next serving certificate
   * @param certificate the serving certificate
   * @param key its key
   */
  public record KeyMaterial(String caCertificate, String caKey, String certificate, String key) {
    @Override
    public String toString() {
      String held;
      try {
        held = String.valueOf(names(certificate));
      } catch (IllegalArgumentException e) {
        held = "an unreadable certificate"; // a toString must not throw: this one is logged
      }
      return "KeyMaterial[certificate for " + held + ", keys not shown]";
    }
  }

  /** A new CA, and a serving certificate it signed for {@code names} (host names and IP addresses). */
  public static KeyMaterial issue(List<String> names, Instant now) {
    KeyPair ca = keyPair();
    X509Certificate caCertificate = sign(new X500Name("CN=holdfast-webhook-ca"), ca, new X500Name("CN=holdfast-webhook-ca"),
        ca.getPrivate(), now, CA_VALIDITY, List.of(), true);
    return serving(pem(caCertificate), pem(ca.getPrivate()), names, now);
  }

  /** A new serving certificate for {@code names}, signed by the CA of {@code current}. */
  public static KeyMaterial renew(KeyMaterial current, List<String> names, Instant now) {
    return serving(current.caCertificate(), current.caKey(), names, now);
  }

  /** Whether the serving certificate expires within a third of its validity, or lacks a name. */
  public static boolean needsRenewal(KeyMaterial current, List<String> names, Instant now) {
    X509Certificate certificate = certificate(current.certificate());
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    Duration left = Duration.between(now, notAfter);
    return left.compareTo(Duration.between(notBefore, notAfter).dividedBy(3)) < 0
        || !names(current.certificate()).stream().map(WebhookCertificates::canonical).toList()
            .containsAll(names.stream().map(WebhookCertificates::canonical).toList());
  }

  /**
   * A name as the certificate holds it, to compare: an address in the JDK's form (the JDK reads
   * {@code ::1} back as {@code 0:0:0:0:0:0:0:1}), a DNS name in lower case.
   */
  private static String canonical(String name) {
    String bare = bare(name);
    if (!isAddress(bare)) {
      return bare.toLowerCase(java.util.Locale.ROOT);
    }
    try {
      byte[] octets = org.bouncycastle.asn1.ASN1OctetString.getInstance(new GeneralName(GeneralName.iPAddress, bare)
          .getName()).getOctets();
      return java.net.InetAddress.getByAddress(octets).getHostAddress();
    } catch (IllegalArgumentException | java.net.UnknownHostException e) {
      return bare;
    }
  }

  /** A host as a URL writes it, IPv6 addresses in brackets ({@code URI.getHost()} keeps them), without the brackets. */
  private static String bare(String name) {
    return name.length() > 2 && name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
  }

  private static KeyMaterial serving(String caCertificatePem, String caKeyPem, List<String> names, Instant now) {
    X509Certificate caCertificate = certificate(caCertificatePem);
    PrivateKey caKey = privateKey(caKeyPem);
    KeyPair serving = keyPair();
    X509Certificate certificate = sign(new X500Name("CN=" + (names.isEmpty() ? "holdfast-webhook" : names.get(0))),
        serving, new X500Name(caCertificate.getSubjectX500Principal().getName()), caKey, now, SERVING_VALIDITY, names,
        false);
    return new KeyMaterial(caCertificatePem, caKeyPem, pem(certificate), pem(serving.getPrivate()));
  }

  private static X509Certificate sign(X500Name subject, KeyPair keys, X500Name issuer, PrivateKey issuerKey,
      Instant now, Duration validity, List<String> names, boolean ca) {
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM),
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
          String bare = bare(name);
          alternatives.add(isAddress(bare) ? new GeneralName(GeneralName.iPAddress, bare)
              : new GeneralName(GeneralName.dNSName, bare));
        }
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(alternatives.toArray(GeneralName[]::new)));
      }
      X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey));
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("issue a webhook certificate for " + subject, e);
    }
  }

  private static boolean isAddress(String name) {
    return name.matches("[0-9.]+") || name.contains(":");
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot make EC P-256 keys", e);
    }
  }

  /** A PEM certificate. */
  public static X509Certificate certificate(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object read = parser.readObject();
      if (!(read instanceof X509CertificateHolder holder)) {
        throw new IllegalArgumentException("not a PEM certificate");
      }
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /** A PEM private key (PKCS#8 or SEC1). */
  public static PrivateKey privateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object read = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (read instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (read instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new IllegalArgumentException("not a PEM private key");
    } catch (IOException e) {
      throw new IllegalArgumentException("not a PEM private key: " + e.getMessage(), e);
    }
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object instanceof PrivateKey key
          ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : object);
    } catch (IOException e) {
      throw new UncheckedIOException("write PEM", e);
    }
    return out.toString();
  }

  /** The subject alternative names of a PEM certificate. */
  public static List<String> names(String pem) {
    try {
      var alternatives = certificate(pem).getSubjectAlternativeNames();
      List<String> names = new ArrayList<>();
      if (alternatives != null) {
        alternatives.forEach(entry -> names.add(String.valueOf(entry.get(1))));
      }
      return names;
    } catch (GeneralSecurityException e) {
      return List.of();
    }
  }

}
