package dev.holdfast.operator.webhook;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The serving certificate of the webhook, replaceable while the server runs: each new TLS handshake
 * takes the certificate current at that moment, so a renewed certificate is served without a restart.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private final AtomicReference<X509ExtendedKeyManager> current = new AtomicReference<>();

  /** Serves {@code certificatePem} (with its chain) and {@code keyPem} from the next handshake on. */
  void update(String certificatePem, String keyPem) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      PrivateKey key = WebhookCertificates.privateKey(keyPem);
      X509Certificate certificate = WebhookCertificates.certificate(certificatePem);
      requireMatch(key, certificate);
      store.setKeyEntry("webhook", key, password, new X509Certificate[] {certificate});
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      current.set((X509ExtendedKeyManager) factory.getKeyManagers()[0]);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("load the webhook's serving certificate", e);
    }
  }

  /**
   * A key that is not the certificate's (a Secret read between the writes of its two keys, a
   * copy-paste mistake) would fail every handshake: it is refused, and the current pair kept.
   */
  private static void requireMatch(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null; // no check for other kinds of key
    };
    if (algorithm == null) {
      return;
    }
    byte[] challenge = "holdfast webhook key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(challenge);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    try {
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
      // a public key of another kind: no match
    }
    throw new IllegalArgumentException("the webhook's private key is not the key of its certificate "
        + certificate.getSubjectX500Principal().getName());
  }

  boolean isLoaded() {
    return current.get() != null;
  }

  private X509ExtendedKeyManager delegate() {
    X509ExtendedKeyManager manager = current.get();
    if (manager == null) {
      throw new IllegalStateException("the webhook has no serving certificate yet");
    }
    return manager;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return delegate().chooseEngineServerAlias(keyType, issuers, engine);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return delegate().chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return delegate().getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return delegate().getPrivateKey(alias);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return delegate().getServerAliases(keyType, issuers);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[0];
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
