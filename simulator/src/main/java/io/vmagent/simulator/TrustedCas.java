package io.vmagent.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds a TLS context that trusts exactly the CA certificates in the given PEM files. */
final class TrustedCas {
  private TrustedCas() {}

  static SSLContext sslContext(List<Path> caFiles) throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    int n = 0;
    for (Path file : caFiles) {
      Collection<? extends Certificate> certs;
      try (InputStream in = Files.newInputStream(file)) {
        certs = x509.generateCertificates(in);
      }
      if (certs.isEmpty()) {
        throw new IOException("no certificate in " + file);
      }
      for (Certificate cert : certs) {
        trust.setCertificateEntry("ca-" + n++, cert);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
