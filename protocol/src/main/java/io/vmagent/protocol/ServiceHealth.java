package io.vmagent.protocol;

import java.time.Instant;

/**
 * The backend's liveness answer of {@link ProtocolPaths#HEALTH}.
 *
 * @param status always {@code ok} (a backend that cannot serve answers 503 instead)
 * @param serverTime the backend's clock
 * @param version the backend's version
 * @param protocolVersion the highest protocol version the backend speaks; absent means 1, so an
 *     agent sends newer fields only to a backend that names a version that has them
 */
public record ServiceHealth(
    String status, Instant serverTime, String version, Integer protocolVersion) {

  /** A protocol-1 answer. */
  public ServiceHealth(String status, Instant serverTime, String version) {
    this(status, serverTime, version, null);
  }
}
