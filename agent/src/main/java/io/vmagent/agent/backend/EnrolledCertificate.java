package io.vmagent.agent.backend;

import io.vmagent.protocol.ProtocolPaths;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The client certificate the fleet's CA issued for the agent's key, when the agent received it and
 * how long it is usable from then. Renewal and expiry are judged on the agent's monotonic clock
 * alone, so a host whose clock is off from the backend's, or is stepped, still renews on time.
 *
 * @param chain the certificate first, then its issuers
 * @param receivedNanos when the agent received it, on {@link System#nanoTime()}'s clock
 * @param validFor how long after {@code receivedNanos} it stops working
 */
public record EnrolledCertificate(
    List<X509Certificate> chain, long receivedNanos, Duration validFor) {
  // Backends before protocol 3 back-dated their certificates by a minute only.
  private static final Duration LEGACY_BACKDATE = Duration.ofMinutes(1);

  /** The certificate itself. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /**
   * How long a certificate just issued is usable: until its end as the backend's clock saw it at
   * {@code serverTime}, or when an older backend did not say, its validity less the back-dating.
   */
  static Duration usableFor(X509Certificate leaf, Instant serverTime) {
    Instant notAfter = leaf.getNotAfter().toInstant();
    if (serverTime != null) {
      return Duration.between(serverTime, notAfter);
    }
    Duration lifetime = Duration.between(leaf.getNotBefore().toInstant(), notAfter);
    // A back-dating of hours means a backend of protocol 3 or later signed it.
    return lifetime.compareTo(ProtocolPaths.CERTIFICATE_BACKDATE) > 0
        ? lifetime.minus(ProtocolPaths.CERTIFICATE_BACKDATE)
        : lifetime.minus(LEGACY_BACKDATE);
  }

  /** From when on it should be renewed: two thirds into its usable life, on the monotonic clock. */
  public long renewAt() {
    return receivedNanos + validFor.multipliedBy(2).dividedBy(3).toNanos();
  }

  /** Whether it is past its end at {@code nowNanos}, so presenting it would fail the handshake. */
  public boolean expired(long nowNanos) {
    return nowNanos - receivedNanos >= validFor.toNanos();
  }
}
