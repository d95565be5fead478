package io.vmagent.agent.backend;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The client certificate the fleet's CA issued for the agent's key, and when the agent received it.
 * Renewal and expiry are judged from that moment and the certificate's own lifetime, on the host's
 * clock alone, so a host whose clock is off from the backend's still renews on time.
 *
 * @param chain the certificate first, then its issuers
 * @param receivedAt when the agent stored it
 */
public record EnrolledCertificate(List<X509Certificate> chain, Instant receivedAt) {
  // The fleet CA back-dates its certificates by a minute for instances with a slow clock.
  private static final Duration BACKDATE = Duration.ofMinutes(1);

  /** The certificate itself. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  private Duration lifetime() {
    return Duration.between(leaf().getNotBefore().toInstant(), leaf().getNotAfter().toInstant());
  }

  /** From when on it should be renewed: two thirds into its life. */
  public Instant renewAt() {
    return receivedAt.plus(lifetime().minus(BACKDATE).multipliedBy(2).dividedBy(3));
  }

  /** Whether it is past its end, so presenting it would fail the handshake. */
  public boolean expired(Instant now) {
    return !now.isBefore(receivedAt.plus(lifetime().minus(BACKDATE)));
  }
}
