package io.vmagent.protocol;

import java.time.Instant;
import java.util.List;

/**
 * An agent as the backend knows it: identity, connectivity and its last heartbeat.
 *
 * @param agentId the agent id
 * @param name its name
 * @param hostname its host
 * @param agentVersion the version it registered or last heartbeated with
 * @param libvirtUri the libvirt URI it manages
 * @param hypervisor what it reported about the host; may be null
 * @param capabilities the operations it can run
 * @param connectivity online, offline (three heartbeat intervals missed) or revoked
 * @param registeredAt when it first registered
 * @param lastHeartbeatAt its last heartbeat; null before the first
 * @param heartbeatIntervalSeconds its heartbeat interval
 * @param health its own judgement in the last heartbeat; null before the first
 * @param reasons why it is degraded
 * @param uptimeSeconds its uptime at the last heartbeat; may be null
 * @param versions its versions at the last heartbeat; may be null
 * @param libvirt its libvirt health at the last heartbeat; may be null
 * @param spoolDepth its spool depth at the last heartbeat; may be null
 * @param sslVerify whether it verifies the backend's certificate; may be null
 * @param warnings its configuration warnings
 * @param newestKnownVersion the newest version it has heard of; may be null
 * @param commandsPending commands queued or leased for it
 * @param vmCount VMs it last reported; may be null
 * @param keyFingerprint SHA-256 of the public key its id is bound to (hex, first 16 bytes); null
 *     while no key is bound (an agent registered by a version without keys)
 * @param identityReleasedAt when an operator released its identity for the next registration; null
 *     when it is not released
 * @param operations the operations it runs with their parameter-set versions; null when it
 *     advertised only names (an agent before protocol 3)
 * @param clockOffsetMs how far its clock was ahead of the backend's at the last heartbeat, in
 *     milliseconds (negative: behind); null when it did not say
 * @param clockSynchronized whether its host said its clock is synchronised; null when unknown
 */
public record AgentStatus(
    String agentId,
    String name,
    String hostname,
    String agentVersion,
    String libvirtUri,
    HypervisorFacts hypervisor,
    List<String> capabilities,
    Connectivity connectivity,
    Instant registeredAt,
    Instant lastHeartbeatAt,
    Integer heartbeatIntervalSeconds,
    HealthStatus health,
    List<String> reasons,
    Long uptimeSeconds,
    AgentVersions versions,
    LibvirtHealth libvirt,
    Long spoolDepth,
    Boolean sslVerify,
    List<String> warnings,
    String newestKnownVersion,
    int commandsPending,
    Integer vmCount,
    String keyFingerprint,
    Instant identityReleasedAt,
    List<OperationCapability> operations,
    Long clockOffsetMs,
    Boolean clockSynchronized) {

  /** Normalises absent lists to empty ones; keeps absent operations null. */
  public AgentStatus {
    operations = operations == null ? null : List.copyOf(operations);
    capabilities = Copies.list(capabilities);
    reasons = Copies.list(reasons);
    warnings = Copies.list(warnings);
  }
}
