package io.vmagent.agent.doctor;

import io.vmagent.agent.backend.TlsContexts;
import io.vmagent.agent.backend.TlsFailure;
import io.vmagent.agent.backend.TlsSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A TLS handshake with the backend, as the agent makes it: which certificate the backend showed,
 * whether it names the host, until when it is valid, which trusted CA vouched for it, and which
 * client certificate the agent presented.
 */
final class TlsCheck {
  static final String NAME = "tls handshake";
  private static final Duration EXPIRY_WARNING = Duration.ofDays(30);

  private final TlsSettings settings;
  private final TlsContexts.ClientIdentity issued;

  /**
   * @param issued the certificate issued at enrollment, presented when none is configured; or null
   */
  TlsCheck(TlsSettings settings, TlsContexts.ClientIdentity issued) {
    this.settings = settings;
    this.issued = issued;
  }

  Finding run(URI url, InetSocketAddress address, Duration timeout, Instant now) {
    String where = url.getHost() + ":" + address.getPort();
    try (Socket plain = new Socket()) {
      plain.connect(address, (int) timeout.toMillis());
      plain.setSoTimeout((int) timeout.toMillis());
      try (SSLSocket tls =
          (SSLSocket)
              TlsContexts.create(settings, issued)
                  .getSocketFactory()
                  .createSocket(plain, url.getHost(), address.getPort(), true)) {
        SSLParameters parameters = tls.getSSLParameters();
        // As the HTTP client does; a trust-everything manager (AGENT_SSL_VERIFY=false) skips it.
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return Finding.pass(NAME, describe(tls.getSession(), url, now));
      }
    } catch (SSLException e) {
      return Finding.fail(NAME, "with " + where + ": " + TlsFailure.describe(e), hint(e));
    } catch (IOException | GeneralSecurityException e) {
      return Finding.fail(
          NAME,
          "with " + where + ": " + e.getMessage(),
          "check the TLS settings with 'vm-agent config check'");
    }
  }

  private String describe(SSLSession session, URI url, Instant now)
      throws SSLException, IOException, GeneralSecurityException {
    Certificate[] peer = session.getPeerCertificates();
    X509Certificate leaf = (X509Certificate) peer[0];
    StringBuilder text = new StringBuilder();
    text.append(session.getProtocol())
        .append("; the backend presented ")
        .append(leaf.getSubjectX500Principal().getName())
        .append(" issued by ")
        .append(leaf.getIssuerX500Principal().getName());
    Instant notAfter = leaf.getNotAfter().toInstant();
    text.append(", valid until ").append(notAfter);
    if (notAfter.isBefore(now.plus(EXPIRY_WARNING))) {
      text.append(" (expires within ").append(EXPIRY_WARNING.toDays()).append(" days)");
    }
    if (settings.verify()) {
      text.append("; it names ")
          .append(url.getHost())
          .append("; trusted through ")
          .append(anchor((X509Certificate) peer[peer.length - 1]))
          .append(" from ")
          .append(
              settings.caPath().map(p -> "AGENT_SSL_CA_PATH " + p).orElse("the system's CA store"));
    } else {
      text.append("; NOT verified (AGENT_SSL_VERIFY=false)");
    }
    Certificate[] local = session.getLocalCertificates();
    text.append("; client certificate presented: ")
        .append(
            local == null || local.length == 0
                ? "none"
                : ((X509Certificate) local[0]).getSubjectX500Principal().getName()
                    + (settings.mutual()
                        ? " (AGENT_SSL_CERT_PATH " + settings.certPath().orElseThrow() + ")"
                        : " (issued at enrollment)"));
    return text.toString();
  }

  /** The trusted CA that vouched for {@code top}, the last certificate of the chain. */
  private String anchor(X509Certificate top) throws IOException {
    List<X509Certificate> trusted = TlsContexts.trustedCertificates(settings);
    for (X509Certificate ca : trusted) {
      if (ca.equals(top) || signed(top, ca)) {
        return ca.getSubjectX500Principal().getName();
      }
    }
    return top.getIssuerX500Principal().getName();
  }

  private static boolean signed(X509Certificate certificate, X509Certificate ca) {
    if (!certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      return false;
    }
    try {
      certificate.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false; // another CA of the same name
    }
  }

  private String hint(SSLException e) {
    String cause = TlsFailure.describe(e);
    if (cause.contains("not trusted")) {
      return settings
              .caPath()
              .map(p -> "AGENT_SSL_CA_PATH (" + p + ") must hold the CA that issued the backend's")
              .orElse("set AGENT_SSL_CA_PATH to the CA bundle that issued the backend's")
          + " certificate (for the reference backend: DATA_DIR/tls/ca.pem)";
    }
    if (cause.contains("does not name")) {
      return "use the host name the backend's certificate was issued for in AGENT_BACKEND_URL";
    }
    if (cause.contains("expired")) {
      return "renew the backend's certificate, or set this host's clock right";
    }
    if (cause.contains("client certificate")) {
      return issued != null || settings.mutual()
          ? "the backend does not accept the client certificate presented; check its CA"
          : "the backend requires a client certificate: the agent gets one at its first"
              + " registration, or configure AGENT_SSL_CERT_PATH and AGENT_SSL_KEY_PATH";
    }
    return "check the TLS settings with 'vm-agent config check'";
  }
}
