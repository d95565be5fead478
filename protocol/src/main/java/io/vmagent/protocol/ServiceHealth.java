package io.vmagent.protocol;

import java.time.Instant;

/**
 * The backend's liveness answer of {@link ProtocolPaths#HEALTH}.
 *
 * @param status always {@code ok} (a backend that cannot serve answers 503 instead)
 * @param serverTime the backend's clock
 * @param version the backend's version
 */
public record ServiceHealth(String status, Instant serverTime, String version) {}
