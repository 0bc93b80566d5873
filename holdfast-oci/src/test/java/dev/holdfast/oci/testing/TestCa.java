package dev.holdfast.oci.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority generated for one test run (with the {@code openssl} CLI) and a server
 * certificate it signed for {@code localhost}, {@code 127.0.0.1} and {@code ::1}; for a registry
 * that requires client certificates, also a client certificate it signed ({@code client.cert} and
 * {@code client.key} beside {@code ca.crt} in {@link #certDir()}, where skopeo's {@code
 * --cert-dir} finds them).
 */
public final class TestCa {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Path certDir;
  private final Path serverCert;
  private final Path serverKey;
  private final Path caKey;
  private final boolean clientCertificate;

  private TestCa(Path certDir, Path serverCert, Path serverKey, Path caKey, boolean clientCertificate) {
    this.certDir = certDir;
    this.serverCert = serverCert;
    this.serverKey = serverKey;
    this.caKey = caKey;
    this.clientCertificate = clientCertificate;
  }

  /**
   * Creates a CA and a server certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}
   * below {@code dir}, e.g. for a test's own HTTPS server ({@link #serverSslContext()}).
   */
  public static TestCa create(Path dir) {
    return create(dir, false);
  }

  /** Creates the CA and server certificate below {@code dir}, and a client certificate if asked. */
  static TestCa create(Path dir, boolean clientCertificate) {
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
      TestCa ca = new TestCa(certDir, crt, key, caKey, clientCertificate);
      if (clientCertificate) {
        ca.issueClientCertificate(certDir, "client", "holdfast-test-client");
      }
      return ca;
    } catch (IOException e) {
      throw new UncheckedIOException("create test CA in " + dir, e);
    }
  }

  /**
   * Signs a new client certificate (RSA, PKCS#8 key, extended key usage clientAuth) for {@code
   * commonName}: writes {@code NAME.cert} and {@code NAME.key} into {@code dir}.
   */
  public void issueClientCertificate(Path dir, String name, String commonName) {
    try {
      Path work = Files.createDirectories(caKey.getParent().resolve("client-" + name));
      Path key = dir.resolve(name + ".key");
      Path csr = work.resolve(name + ".csr");
      Path ext = work.resolve(name + ".ext");
      Tools.check(List.of("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-sha256",
          "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + commonName), Map.of(), TIMEOUT);
      Files.writeString(ext, String.join("\n",
          "basicConstraints=critical,CA:FALSE",
          "keyUsage=critical,digitalSignature",
          "extendedKeyUsage=clientAuth", ""));
      Tools.check(List.of("openssl", "x509", "-req", "-sha256", "-days", "2",
          "-in", csr.toString(), "-CA", caFile().toString(), "-CAkey", caKey.toString(),
          "-CAserial", caKey.resolveSibling("ca.srl").toString(),
          "-out", dir.resolve(name + ".cert").toString(), "-extfile", ext.toString()), Map.of(), TIMEOUT);
    } catch (IOException e) {
      throw new UncheckedIOException("issue client certificate " + name + " in " + dir, e);
    }
  }

  /** Whether the registry requires a client certificate signed by this CA. */
  public boolean requiresClientCertificate() {
    return clientCertificate;
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

  /**
   * A directory holding {@code ca.crt} (and the client certificate, when the registry requires
   * one), for skopeo {@code --cert-dir}.
   */
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

  /**
   * An SSLContext that trusts only this CA, e.g. for {@code java.net.http.HttpClient}; it presents
   * the client certificate when the registry requires one.
   */
  public SSLContext sslContext() {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("holdfast-test-ca", caCertificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManager[] keys = null;
      if (clientCertificate) {
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        identity.setKeyEntry("client", clientKey(), new char[] {'x'}, new X509Certificate[] {clientCert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(identity, new char[] {'x'});
        keys = kmf.getKeyManagers();
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keys, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("build an SSLContext for test CA " + caFile(), e);
    }
  }

  /**
   * Replaces this CA and its server certificate with new ones, in the same files (a CA rotation);
   * a registry serving them presents the new certificate once restarted.
   */
  public void rotate() {
    try {
      TestCa fresh = create(Files.createTempDirectory(caKey.getParent().getParent(), "rotated-"), clientCertificate);
      Files.copy(fresh.caFile(), caFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(fresh.caKey, caKey, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(fresh.serverCert, serverCert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(fresh.serverKey, serverKey, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("rotate test CA " + caFile(), e);
    }
  }

  /** An SSLContext that presents the server certificate, for a test's own HTTPS server. */
  public SSLContext serverSslContext() {
    try {
      KeyStore identity = KeyStore.getInstance("PKCS12");
      identity.load(null, null);
      identity.setKeyEntry("server", readKey(serverKey), new char[] {'x'},
          new X509Certificate[] {readCertificate(serverCert)});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(identity, new char[] {'x'});
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("build a server SSLContext for test CA " + caFile(), e);
    }
  }

  private X509Certificate clientCert() throws IOException, GeneralSecurityException {
    return readCertificate(certDir.resolve("client.cert"));
  }

  private PrivateKey clientKey() throws IOException, GeneralSecurityException {
    return readKey(certDir.resolve("client.key"));
  }

  private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII)
        .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
  }

  Path serverCert() {
    return serverCert;
  }

  Path serverKey() {
    return serverKey;
  }
}
