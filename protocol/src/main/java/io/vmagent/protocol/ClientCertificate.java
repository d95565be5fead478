package io.vmagent.protocol;

import java.time.Instant;

/**
 * A client certificate the fleet's CA issued for an agent's key (answer of {@link
 * ProtocolPaths#CERTIFICATE}).
 *
 * @param certificate the PEM chain, the agent's certificate first
 * @param expiresAt the certificate's notAfter
 * @param serverTime the backend's clock when it answered, so the agent counts the certificate's
 *     life on its own clock; absent from an older backend
 */
public record ClientCertificate(String certificate, Instant expiresAt, Instant serverTime) {

  /** An answer without the backend's clock, as an older backend gives it. */
  public ClientCertificate(String certificate, Instant expiresAt) {
    this(certificate, expiresAt, null);
  }
}
