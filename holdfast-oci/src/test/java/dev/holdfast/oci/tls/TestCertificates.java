package dev.holdfast.oci.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Generates a throw-away CA and a server certificate it signs, with the {@code openssl} CLI, into
 * a test's temporary directory. Nothing here is checked in.
 */
final class TestCertificates {
  static final String PASSWORD = "changeit";

  final Path caCert;
  final Path caKey;
  final Path serverCert;
  final Path serverP12;
  final Path otherCert;

  private TestCertificates(Path dir) {
    caCert = dir.resolve("ca.pem");
    caKey = dir.resolve("ca.key");
    serverCert = dir.resolve("server.pem");
    serverP12 = dir.resolve("server.p12");
    otherCert = dir.resolve("other.pem");
  }

  static TestCertificates generate(Path dir) throws IOException, InterruptedException {
    TestCertificates certs = new TestCertificates(dir);
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Holdfast Test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
    Files.writeString(dir.resolve("server.ext"), """
        basicConstraints=CA:FALSE
        keyUsage=critical,digitalSignature
        extendedKeyUsage=serverAuth
        subjectAltName=DNS:localhost,IP:127.0.0.1
        """);
    openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
    openssl(dir, "pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key",
        "-certfile", "ca.pem", "-name", "server", "-out", "server.p12", "-passout", "pass:" + PASSWORD);
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=Holdfast Other CA");
    return certs;
  }

  /** Key formats of {@link #client}. */
  enum KeyFormat {
    /** {@code BEGIN PRIVATE KEY}, RSA: what OpenSSL 3 writes by default. */
    PKCS8_RSA,
    /** {@code BEGIN RSA PRIVATE KEY}: OpenSSL 1.x's default, and {@code openssl rsa -traditional}. */
    PKCS1_RSA,
    /** {@code BEGIN PRIVATE KEY}, EC P-256. */
    PKCS8_EC,
    /** {@code BEGIN EC PRIVATE KEY}: {@code openssl ecparam -genkey}'s format. */
    SEC1_EC,
    /** {@code BEGIN PRIVATE KEY}, Ed25519. */
    PKCS8_ED25519
  }

  /**
   * A client certificate signed by the CA (extended key usage clientAuth), as {@code NAME.cert},
   * and its key in {@code format} as {@code NAME.key}, in {@code dir}.
   */
  Path[] client(Path dir, String name, KeyFormat format) throws IOException, InterruptedException {
    List<String> newKey = switch (format) {
      case PKCS8_RSA, PKCS1_RSA -> List.of("-newkey", "rsa:2048");
      case PKCS8_EC, SEC1_EC -> List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
      case PKCS8_ED25519 -> List.of("-newkey", "ed25519");
    };
    List<String> req = new ArrayList<>(List.of("req"));
    req.addAll(newKey);
    req.addAll(List.of("-nodes", "-keyout", name + ".pk8", "-out", name + ".csr", "-subj", "/CN=" + name));
    openssl(dir, req.toArray(String[]::new));
    Files.writeString(dir.resolve(name + ".ext"), """
        basicConstraints=CA:FALSE
        keyUsage=critical,digitalSignature
        extendedKeyUsage=clientAuth
        """);
    openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", caCert.toString(), "-CAkey", caKey.toString(),
        "-CAcreateserial", "-out", name + ".cert", "-days", "2", "-extfile", name + ".ext");
    switch (format) {
      case PKCS1_RSA -> openssl(dir, "rsa", "-in", name + ".pk8", "-traditional", "-out", name + ".key");
      case SEC1_EC -> openssl(dir, "ec", "-in", name + ".pk8", "-out", name + ".key");
      default -> Files.copy(dir.resolve(name + ".pk8"), dir.resolve(name + ".key"));
    }
    return new Path[] {dir.resolve(name + ".cert"), dir.resolve(name + ".key")};
  }

  static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.US_ASCII);
  }

  static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("openssl " + String.join(" ", args) + " failed:\n"
          + Files.readString(dir.resolve("openssl.log")));
    }
  }
}
