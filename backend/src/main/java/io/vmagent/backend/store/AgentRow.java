package io.vmagent.backend.store;

import java.time.Instant;

/**
 * One row of the agents table. {@code capabilitiesJson} holds the operation names, {@code
 * operationsJson} the names with their versions when the agent sent them (protocol 3), else null.
 */
public record AgentRow(
    String agentId,
    String name,
    String hostname,
    String agentVersion,
    String libvirtUri,
    String hypervisorJson,
    String capabilitiesJson,
    int heartbeatIntervalSeconds,
    Instant registeredAt,
    Instant revokedAt,
    Instant lastHeartbeatAt,
    String heartbeatJson,
    Instant stoppedAt,
    String operationsJson) {

  /** True once an operator revoked the agent. */
  public boolean revoked() {
    return revokedAt != null;
  }

  /** True when the agent's last heartbeat said it was shutting down. */
  public boolean stopped() {
    return stoppedAt != null;
  }
}
