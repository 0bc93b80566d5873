package dev.holdfast.oci.tls;

import dev.holdfast.oci.FileErrors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A client certificate and its private key, which Holdfast presents to a registry that asks for
 * one (mutual TLS), as {@code client.cert} and {@code client.key} in a certs.d directory.
 *
 * <p>The certificate file holds the client certificate first, then any intermediate CA
 * certificates. The key file holds one unencrypted private key: PKCS#8 ({@code BEGIN PRIVATE
 * KEY}, what OpenSSL 3 writes), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) or SEC1 EC ({@code
 * BEGIN EC PRIVATE KEY}). The key must belong to the certificate: this is checked when the files
 * are read, so a mismatch is reported with the file names rather than as a failed handshake.
 * Nothing derived from the key ever reaches a message or {@link #toString()}.
 */
public final class ClientIdentity {

  /** DER of the OIDs rsaEncryption (1.2.840.113549.1.1.1) and id-ecPublicKey (1.2.840.10045.2.1). */
  private static final byte[] RSA_ENCRYPTION =
      {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
  private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

  private final String source;
  private final List<X509Certificate> chain;
  private final PrivateKey key;

  private ClientIdentity(String source, List<X509Certificate> chain, PrivateKey key) {
    this.source = source;
    this.chain = List.copyOf(chain);
    this.key = key;
  }

  /**
   * Reads a certificate file and its key file.
   *
   * @throws InvalidClientIdentityException naming the file when either cannot be read or used, or
   *     when the key does not belong to the certificate
   */
  public static ClientIdentity read(Path certificateFile, Path keyFile) {
    return parse(certificateFile + " and " + keyFile, certificateFile.toString(), text(certificateFile),
        keyFile.toString(), text(keyFile));
  }

  /**
   * Parses PEM text; the names are for messages.
   *
   * @throws InvalidClientIdentityException as {@link #read}
   */
  public static ClientIdentity parse(String source, String certificateName, String certificatePem,
      String keyName, String keyPem) {
    List<X509Certificate> chain = certificates(certificateName, certificatePem);
    PrivateKey key = privateKey(keyName, keyPem);
    checkPair(certificateName, chain.getFirst(), keyName, key);
    return new ClientIdentity(source, chain, key);
  }

  /** Where the certificate and key came from, for messages. */
  public String source() {
    return source;
  }

  /** The client certificate, then its intermediates. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The client certificate's subject. */
  public String subject() {
    return chain.getFirst().getSubjectX500Principal().getName();
  }

  /**
   * A key manager that presents this certificate when a server asks for one of its key type. (A
   * key store would do the same, but a PKCS#12 store encrypts the key as it is added, with 10,000
   * PBKDF2 iterations by default, for a store that never leaves memory.)
   */
  KeyManager[] keyManagers() {
    return new KeyManager[] {new SingleKeyManager()};
  }

  /** Offers the one certificate for client authentication, whatever issuers the server names. */
  private final class SingleKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "client";

    private String aliasFor(String[] keyTypes) {
      if (keyTypes == null) {
        return ALIAS;
      }
      for (String type : keyTypes) {
        if (type != null && matches(type)) {
          return ALIAS;
        }
      }
      return null;
    }

    /** Key types as TLS names them ("RSA", "EC", "EdDSA", "RSASSA-PSS", or "EC_EC" style pairs). */
    private boolean matches(String keyType) {
      String algorithm = key.getAlgorithm();
      String type = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
      return type.equalsIgnoreCase(algorithm)
          || type.equalsIgnoreCase("EdDSA") && (algorithm.equals("Ed25519") || algorithm.equals("Ed448"));
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return aliasFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return aliasFor(keyTypes);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return matches(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.toArray(new X509Certificate[0]) : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }
  }

  @Override
  public String toString() {
    return "ClientIdentity[" + source + ", " + subject() + "]";
  }

  private static String text(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new InvalidClientIdentityException("cannot read " + file + ": " + FileErrors.reason(e), e);
    }
  }

  /** A PEM block that decoded: its label, whether it had headers (legacy encryption), its DER bytes. */
  private record Block(String label, boolean headers, byte[] der, int line) {}

  /** Every block of the text, decoded; a block without its END, or not base64, is an error. */
  private static List<Block> blocks(String name, String pem) {
    List<Block> blocks = new ArrayList<>();
    for (PemBlocks.Block block : PemBlocks.split(pem)) {
      String where = name + ": the " + block.label() + " block at line " + block.line();
      if (!block.terminated()) {
        throw new InvalidClientIdentityException(where + " has no END line");
      }
      if (!block.endLabel().equals(block.label())) {
        throw new InvalidClientIdentityException(where + " ends with END " + block.endLabel());
      }
      try {
        blocks.add(new Block(block.label(), block.headers(), Base64.getDecoder().decode(block.base64()),
            block.line()));
      } catch (IllegalArgumentException e) {
        throw new InvalidClientIdentityException(where + " is not valid base64");
      }
    }
    return blocks;
  }

  private static List<X509Certificate> certificates(String name, String pem) {
    List<X509Certificate> chain = new ArrayList<>();
    for (Block block : blocks(name, pem)) {
      if (!block.label().equals("CERTIFICATE")) {
        throw new InvalidClientIdentityException(name + ": a " + block.label() + " block at line "
            + block.line() + "; a client certificate file holds CERTIFICATE blocks only (the key goes in"
            + " its own .key file)");
      }
      try {
        chain.add((X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(block.der())));
      } catch (CertificateException | RuntimeException e) {
        throw new InvalidClientIdentityException(name + ": the certificate at line " + block.line()
            + " is not a valid X.509 certificate: " + e.getMessage(), e);
      }
    }
    if (chain.isEmpty()) {
      throw new InvalidClientIdentityException(name + ": no -----BEGIN CERTIFICATE----- block");
    }
    return chain;
  }

  private static PrivateKey privateKey(String name, String pem) {
    List<Block> keys = blocks(name, pem).stream().filter(b -> b.label().endsWith("PRIVATE KEY")).toList();
    if (keys.size() != 1) {
      throw new InvalidClientIdentityException(name + ": expected one private key block (BEGIN PRIVATE KEY, "
          + "BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY), found " + keys.size());
    }
    Block block = keys.getFirst();
    if (block.label().equals("ENCRYPTED PRIVATE KEY") || block.headers()) {
      throw new InvalidClientIdentityException(name + ": the private key is encrypted; Holdfast reads"
          + " unencrypted keys only (decrypt it with: openssl pkey -in KEY -out KEY.plain)");
    }
    byte[] pkcs8 = switch (block.label()) {
      case "PRIVATE KEY" -> block.der();
      case "RSA PRIVATE KEY" -> privateKeyInfo(RSA_ENCRYPTION, new byte[] {0x05, 0x00}, block.der());
      case "EC PRIVATE KEY" -> privateKeyInfo(EC_PUBLIC_KEY, curveOf(name, block.der()), block.der());
      default -> throw new InvalidClientIdentityException(name + ": a " + block.label()
          + " block is not a key Holdfast can read (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    };
    for (String algorithm : List.of("RSA", "EC", "EdDSA", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
        // not this algorithm: try the next
      }
    }
    throw new InvalidClientIdentityException(name + ": the private key is not an RSA, EC or EdDSA key the"
        + " JDK can load");
  }

  /** The key must sign what the certificate's public key verifies. */
  private static void checkPair(String certificateName, X509Certificate certificate, String keyName, PrivateKey key) {
    String algorithm = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EDDSA", "ED25519", "ED448" -> "EdDSA";
      default -> null; // RSASSA-PSS needs parameters; the handshake checks it
    };
    if (algorithm == null) {
      return;
    }
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      matches = false;
    }
    if (!matches) {
      throw new InvalidClientIdentityException(keyName + " is not the private key of the certificate in "
          + certificateName + " (" + certificate.getSubjectX500Principal().getName() + ")");
    }
  }

  /** PKCS#8 PrivateKeyInfo: version 0, the algorithm (OID and parameters), the key as an OCTET STRING. */
  private static byte[] privateKeyInfo(byte[] algorithmOid, byte[] parameters, byte[] key) {
    return tlv(0x30, concat(tlv(0x02, new byte[] {0}), tlv(0x30, concat(algorithmOid, parameters)), tlv(0x04, key)));
  }

  /** The named-curve OID (a complete TLV) of a SEC1 ECPrivateKey: its [0] parameters field. */
  private static byte[] curveOf(String name, byte[] sec1) {
    try {
      int[] outer = header(sec1, 0);
      int at = outer[0];
      int end = at + outer[1];
      while (at < end) {
        int[] field = header(sec1, at);
        if ((sec1[at] & 0xff) == 0xa0) {
          int[] oid = header(sec1, field[0]);
          return Arrays.copyOfRange(sec1, field[0], oid[0] + oid[1]);
        }
        at = field[0] + field[1];
      }
    } catch (IndexOutOfBoundsException e) {
      // falls through to the error below
    }
    throw new InvalidClientIdentityException(name + ": the EC private key does not name its curve; convert it"
        + " to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
  }

  /** The DER header at {@code at}: {offset of the content, content length}. */
  private static int[] header(byte[] der, int at) {
    int first = der[at + 1] & 0xff;
    if (first < 0x80) {
      return new int[] {at + 2, first};
    }
    int count = first & 0x7f;
    if (count == 0 || count > 3) {
      throw new IndexOutOfBoundsException("unsupported DER length");
    }
    int length = 0;
    for (int i = 0; i < count; i++) {
      length = (length << 8) | (der[at + 2 + i] & 0xff);
    }
    return new int[] {at + 2 + count, length};
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else if (length < 0x10000) {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length);
    } else {
      out.write(0x83);
      out.write(length >> 16);
      out.write(length >> 8);
      out.write(length);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
