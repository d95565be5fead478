package io.vmagent.backend.store;

import java.time.Instant;

/** One row of the agents table. */
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
    String heartbeatJson) {

  /** True once an operator revoked the agent. */
  public boolean revoked() {
    return revokedAt != null;
  }
}
