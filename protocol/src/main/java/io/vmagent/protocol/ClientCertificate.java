package io.vmagent.protocol;

import java.time.Instant;

/**
 * A client certificate the fleet's CA issued for an agent's key (answer of {@link
 * ProtocolPaths#CERTIFICATE}).
 *
 * @param certificate the PEM chain, the agent's certificate first
 * @param expiresAt the certificate's notAfter
 */
public record ClientCertificate(String certificate, Instant expiresAt) {}
