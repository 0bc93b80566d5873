package dev.holdfast.operator.webhook;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
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
      store.setKeyEntry("webhook", WebhookCertificates.privateKey(keyPem), password,
          new X509Certificate[] {WebhookCertificates.certificate(certificatePem)});
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      current.set((X509ExtendedKeyManager) factory.getKeyManagers()[0]);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("load the webhook's serving certificate", e);
    }
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
