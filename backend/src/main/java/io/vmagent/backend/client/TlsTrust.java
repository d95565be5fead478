package io.vmagent.backend.client;

import io.vmagent.backend.tls.Pem;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS contexts for talking to a backend: trust its CA, optionally present a client certificate. */
public final class TlsTrust {
  private TlsTrust() {}

  /** Trusts the CA certificates in the PEM file (and nothing else). */
  public static SSLContext trusting(Path caPem) throws IOException {
    return context(caPem, null, null);
  }

  /** Trusts the CA and presents the client certificate (PEM chain and PKCS#8 key). */
  public static SSLContext context(Path caPem, Path clientCertificate, Path clientKey)
      throws IOException {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      List<X509Certificate> cas = Pem.readCertificates(caPem);
      for (int i = 0; i < cas.size(); i++) {
        trust.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = null;
      if (clientCertificate != null) {
        char[] password = "in-memory".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry(
            "client",
            Pem.readPrivateKey(clientKey),
            password,
            Pem.readCertificates(clientCertificate).toArray(new X509Certificate[0]));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot build a TLS context from " + caPem, e);
    }
  }
}
