package io.vmagent.agent.backend;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the {@link SSLContext} of the backend client: the CAs of {@code AGENT_SSL_CA_PATH}, or
 * the system trust store when it is not set, the client certificate and key for mutual TLS, or
 * (verification off) a trust manager that accepts any certificate and any host name.
 */
public final class TlsContexts {
  private TlsContexts() {}

  /** The context for these settings; every problem names the file at fault. */
  public static SSLContext create(TlsSettings settings) throws IOException {
    try {
      TrustManager[] trust =
          settings.verify()
              ? new TrustManager[] {trustManager(settings.caPath().orElse(null))}
              : new TrustManager[] {new TrustEverything()};
      KeyManager[] keys =
          settings.mutual()
              ? keyManagers(settings.certPath().orElseThrow(), settings.keyPath().orElseThrow())
              : null;
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS set-up failed: " + e.getMessage(), e);
    }
  }

  /**
   * A bundle given in {@code AGENT_SSL_CA_PATH} is the whole trust, as with curl's {@code --cacert}
   * and Python's {@code verify=path}: a backend behind a private CA cannot then be impersonated
   * with a certificate any public CA issued for its name. Without it, the system store.
   */
  static X509TrustManager trustManager(Path caPath) throws GeneralSecurityException, IOException {
    if (caPath == null) {
      return systemTrustManager();
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int n = 0;
    for (X509Certificate ca : PemFiles.certificates(caPath)) {
      store.setCertificateEntry("agent-ca-" + n++, ca);
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return firstX509(factory.getTrustManagers());
  }

  private static X509TrustManager systemTrustManager() throws GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    return firstX509(factory.getTrustManagers());
  }

  private static X509TrustManager firstX509(TrustManager[] managers)
      throws GeneralSecurityException {
    for (TrustManager manager : managers) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager available");
  }

  private static KeyManager[] keyManagers(Path certPath, Path keyPath)
      throws GeneralSecurityException, IOException {
    List<X509Certificate> chain = PemFiles.certificates(certPath);
    PrivateKey key = PemFiles.privateKey(keyPath);
    if (!chain.get(0).getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
      throw new IOException(
          keyPath + " holds a " + key.getAlgorithm() + " key but " + certPath
              + " certifies a " + chain.get(0).getPublicKey().getAlgorithm() + " key");
    }
    char[] password = new char[0];
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("client", key, password, chain.toArray(new X509Certificate[0]));
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, password);
    return factory.getKeyManagers();
  }

  /**
   * Accepts every server certificate and host name: what {@code AGENT_SSL_VERIFY=false} asks for.
   * Being an extended trust manager, it also switches off JSSE's host-name check.
   */
  private static final class TrustEverything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
