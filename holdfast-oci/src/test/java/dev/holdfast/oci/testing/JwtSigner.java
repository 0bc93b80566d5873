package dev.holdfast.oci.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signs RS256 JSON Web Tokens (RFC 7515/7519) the way distribution's token authentication
 * expects: an {@code x5c} header carrying the signing certificate, which the registry checks
 * against its {@code rootcertbundle} (https://distribution.github.io/distribution/spec/auth/jwt/).
 */
final class JwtSigner {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final PrivateKey key;
  private final X509Certificate certificate;
  private final Path certificateFile;

  JwtSigner(PrivateKey key, X509Certificate certificate, Path certificateFile) {
    this.key = key;
    this.certificate = certificate;
    this.certificateFile = certificateFile;
  }

  /** Creates a self-signed RSA 2048 signing key and certificate in {@code dir} with openssl. */
  static JwtSigner create(Path dir) {
    try {
      Files.createDirectories(dir);
      Path keyFile = dir.resolve("token.key");
      Path certFile = dir.resolve("token.crt");
      Tools.check(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
          "-days", "2", "-keyout", keyFile.toString(), "-out", certFile.toString(),
          "-subj", "/CN=holdfast-test-token-signer"), Map.of(), Duration.ofSeconds(60));
      String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
      if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
        throw new IllegalStateException("openssl did not write a PKCS#8 key to " + keyFile);
      }
      byte[] der = Base64.getMimeDecoder().decode(pem
          .replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", ""));
      PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
      X509Certificate cert;
      try (var in = new ByteArrayInputStream(Files.readAllBytes(certFile))) {
        cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      return new JwtSigner(key, cert, certFile);
    } catch (IOException e) {
      throw new UncheckedIOException("create token signing key in " + dir, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("load token signing key from " + dir, e);
    }
  }

  /** The signing certificate (PEM file), i.e. what the registry's rootcertbundle must hold. */
  Path certificateFile() {
    return certificateFile;
  }

  X509Certificate certificate() {
    return certificate;
  }

  /** {@code base64url(header).base64url(claims).base64url(RS256 signature)}. */
  String sign(Map<String, Object> claims) {
    try {
      Map<String, Object> header = new LinkedHashMap<>();
      header.put("typ", "JWT");
      header.put("alg", "RS256");
      header.put("x5c", List.of(Base64.getEncoder().encodeToString(certificate.getEncoded())));
      String signingInput = B64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
          + B64URL.encodeToString(JSON.writeValueAsBytes(claims));
      Signature rs256 = Signature.getInstance("SHA256withRSA"); // RSASSA-PKCS1-v1_5 + SHA-256
      rs256.initSign(key);
      rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64URL.encodeToString(rs256.sign());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("serialize JWT", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sign JWT", e);
    }
  }
}
