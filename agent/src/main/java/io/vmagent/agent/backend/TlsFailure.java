package io.vmagent.agent.backend;

import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import javax.net.ssl.SSLException;

/** What a failed TLS handshake with the backend means, in words an operator can act on. */
public final class TlsFailure {
  private TlsFailure() {}

  /** The cause of {@code e}, with the setting to check. */
  public static String describe(SSLException e) {
    String message = String.valueOf(e.getMessage());
    if (ConnectFailure.has(e, CertificateExpiredException.class)
        || ConnectFailure.has(e, CertificateNotYetValidException.class)
        || message.contains("validity check failed")) {
      return "the backend's certificate has expired or is not valid yet at this host's time ("
          + java.time.Instant.now()
          + "); this host's clock is likely wrong: check its time synchronisation (NTP), and the"
          + " certificate";
    }
    if (message.contains("PKIX") || message.contains("certification path")) {
      return "the backend's certificate is not trusted (check AGENT_SSL_CA_PATH)";
    }
    if (message.contains("No subject alternative") || message.contains("No name matching")) {
      return "the backend's certificate does not name this host (" + message + ")";
    }
    if (message.contains("bad_certificate")
        || message.contains("certificate_required")
        || message.contains("unknown_ca")) {
      return "the backend refused this agent's client certificate"
          + " (check AGENT_SSL_CERT_PATH and AGENT_SSL_KEY_PATH): "
          + message;
    }
    return message;
  }
}
