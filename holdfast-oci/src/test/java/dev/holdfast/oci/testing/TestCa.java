package dev.holdfast.oci.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority generated for one test run (with the {@code openssl} CLI) and a server
 * certificate it signed for {@code localhost}, {@code 127.0.0.1} and {@code ::1}.
 */
public final class TestCa {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Path certDir;
  private final Path serverCert;
  private final Path serverKey;

  private TestCa(Path certDir, Path serverCert, Path serverKey) {
    this.certDir = certDir;
    this.serverCert = serverCert;
    this.serverKey = serverKey;
  }

  /** Creates the CA and server certificate below {@code dir}. */
  static TestCa create(Path dir) {
    try {
      Path certDir = Files.createDirectories(dir.resolve("ca"));
      Path priv = Files.createDirectories(dir.resolve("ca-private"));
      Path server = Files.createDirectories(dir.resolve("server"));
      Path caCrt = certDir.resolve("ca.crt");
      Path caKey = priv.resolve("ca.key");
      Map<String, String> env = Map.of();
      Tools.check(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
          "-days", "2", "-keyout", caKey.toString(), "-out", caCrt.toString(),
          "-subj", "/CN=Holdfast Test Registry CA",
          "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign,cRLSign"), env, TIMEOUT);
      Path key = server.resolve("server.key");
      Path csr = server.resolve("server.csr");
      Path crt = server.resolve("server.crt");
      Path ext = server.resolve("server.ext");
      Tools.check(List.of("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-sha256",
          "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=localhost"), env, TIMEOUT);
      Files.writeString(ext, String.join("\n",
          "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
          "basicConstraints=critical,CA:FALSE",
          "keyUsage=critical,digitalSignature,keyEncipherment",
          "extendedKeyUsage=serverAuth", ""));
      Tools.check(List.of("openssl", "x509", "-req", "-sha256", "-days", "2",
          "-in", csr.toString(), "-CA", caCrt.toString(), "-CAkey", caKey.toString(),
          "-CAcreateserial", "-CAserial", priv.resolve("ca.srl").toString(),
          "-out", crt.toString(), "-extfile", ext.toString()), env, TIMEOUT);
      return new TestCa(certDir, crt, key);
    } catch (IOException e) {
      throw new UncheckedIOException("create test CA in " + dir, e);
    }
  }

  /** The CA certificate file (PEM); pass it to curl {@code --cacert}. */
  public Path caFile() {
    return certDir.resolve("ca.crt");
  }

  /** The CA certificate as PEM text. */
  public String caPem() {
    try {
      return Files.readString(caFile(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("read " + caFile(), e);
    }
  }

  /** A directory holding only {@code ca.crt}, for skopeo {@code --cert-dir}. */
  public Path certDir() {
    return certDir;
  }

  /** The CA certificate. */
  public X509Certificate caCertificate() {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(caPem().getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("parse test CA " + caFile(), e);
    }
  }

  /** An SSLContext that trusts only this CA, e.g. for {@code java.net.http.HttpClient}. */
  public SSLContext sslContext() {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("holdfast-test-ca", caCertificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("build an SSLContext for test CA " + caFile(), e);
    }
  }

  Path serverCert() {
    return serverCert;
  }

  Path serverKey() {
    return serverKey;
  }
}
