package io.vmagent.backend.service;

import io.vmagent.backend.auth.AgentKeys;
import io.vmagent.backend.tls.DevCertificateAuthority;
import io.vmagent.backend.tls.Pem;
import io.vmagent.protocol.ClientCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Issues agents' client certificates from the fleet CA, for the key each agent id is bound to. */
public final class CertificateIssuer {
  private final DevCertificateAuthority authority;
  private final Duration lifetime;

  /** An issuer signing with {@code authority}; certificates live {@code lifetime}. */
  public CertificateIssuer(DevCertificateAuthority authority, Duration lifetime) {
    this.authority = authority;
    this.lifetime = lifetime;
  }

  /** A certificate for the agent's bound key (base64 DER, as stored). */
  public ClientCertificate issue(String agentId, String publicKey) {
    try {
      List<X509Certificate> chain =
          authority.issueAgent(
              agentId,
              AgentKeys.parse(publicKey)
                  .orElseThrow(() -> new IllegalStateException("a stored key is unreadable")),
              lifetime);
      Instant notAfter = chain.get(0).getNotAfter().toInstant();
      // Issued just now, on the clock that set its notAfter: the agent counts its life from here.
      return new ClientCertificate(Pem.certificates(chain), notAfter, notAfter.minus(lifetime));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
