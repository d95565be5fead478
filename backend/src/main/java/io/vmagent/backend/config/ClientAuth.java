package io.vmagent.backend.config;

/** Whether the backend asks clients for a certificate (mutual TLS), and what it then demands. */
public enum ClientAuth {
  /** No client certificate is requested. */
  OFF,
  /**
   * A client certificate is requested; when one is sent it must chain to a trusted CA and name the
   * caller. Clients without one (agents of an earlier version) keep working.
   */
  OPTIONAL,
  /**
   * As {@link #OPTIONAL}, and every agent and operator endpoint needs a certificate, except what a
   * client reaches before it has one: registration, challenges, the JWK set, health and the public
   * overview. The TLS handshake itself only asks, so those stay reachable.
   */
  REQUIRED
}
