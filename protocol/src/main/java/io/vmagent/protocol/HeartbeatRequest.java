package io.vmagent.protocol;

import java.util.List;
import java.util.regex.Pattern;

/**
 * An agent's periodic report of its health, sent to {@link ProtocolPaths#HEARTBEAT}.
 *
 * @param status healthy or degraded
 * @param reasons why the agent is degraded; empty when healthy
 * @param uptimeSeconds seconds since the agent started
 * @param versions the versions the agent runs with
 * @param libvirt whether libvirt is reachable
 * @param spoolDepth how many reports wait in the agent's spool for delivery
 * @param sslVerify whether the agent verifies the backend's certificate
 * @param warnings configuration warnings the operator should see (e.g. TLS verification off)
 * @param newestKnownVersion the newest agent version the agent has heard of; may be null
 * @param heartbeatIntervalSeconds the agent's heartbeat interval; may be null (unchanged)
 * @param vms the host's VM inventory; null when not sent this time (empty means no VMs)
 * @param operations the operations the agent runs, with their parameter-set versions; sent once
 *     after each start to a backend of protocol 3, null otherwise
 * @param clockOffsetMs how far the agent's clock is ahead of the backend's (negative: behind), in
 *     milliseconds; null when not measured yet (protocol 3)
 * @param clockSynchronized whether the host says its clock is synchronised; null when it does not
 *     say (protocol 3)
 * @param prometheusEndpoint {@code host:port} of the agent's Prometheus endpoint; null when it is
 *     off (protocol 3)
 * @param protocolVersion the protocol version the agent speaks, sent with {@code operations} in the
 *     first heartbeat after each start so an agent upgraded in place is known to speak it (protocol
 *     4); null otherwise
 */
public record HeartbeatRequest(
    HealthStatus status,
    List<String> reasons,
    long uptimeSeconds,
    AgentVersions versions,
    LibvirtHealth libvirt,
    long spoolDepth,
    boolean sslVerify,
    List<String> warnings,
    String newestKnownVersion,
    Integer heartbeatIntervalSeconds,
    List<VmSummary> vms,
    List<OperationCapability> operations,
    Long clockOffsetMs,
    Boolean clockSynchronized,
    String prometheusEndpoint,
    Integer protocolVersion) {

  /** The protocol version that added {@link #prometheusEndpoint}. */
  public static final int PROMETHEUS_ENDPOINT_PROTOCOL = 3;

  /** What a {@link #prometheusEndpoint} looks like: a host name or address, and a port. */
  public static final Pattern PROMETHEUS_ENDPOINT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):[0-9]{1,5}");

  /**
   * Normalises absent reason and warning lists to empty ones; keeps an absent inventory or absent
   * operations null.
   */
  public HeartbeatRequest {
    reasons = Copies.list(reasons);
    warnings = Copies.list(warnings);
    vms = vms == null ? null : List.copyOf(vms);
    operations = operations == null ? null : List.copyOf(operations);
  }

  /** A heartbeat without the protocol-3 members, as a backend before protocol 3 takes it. */
  public HeartbeatRequest(
      HealthStatus status,
      List<String> reasons,
      long uptimeSeconds,
      AgentVersions versions,
      LibvirtHealth libvirt,
      long spoolDepth,
      boolean sslVerify,
      List<String> warnings,
      String newestKnownVersion,
      Integer heartbeatIntervalSeconds,
      List<VmSummary> vms) {
    this(
        status,
        reasons,
        uptimeSeconds,
        versions,
        libvirt,
        spoolDepth,
        sslVerify,
        warnings,
        newestKnownVersion,
        heartbeatIntervalSeconds,
        vms,
        null,
        null,
        null,
        null,
        null);
  }

  /** A heartbeat with the protocol-3 members but without the protocol version (protocol 3). */
  public HeartbeatRequest(
      HealthStatus status,
      List<String> reasons,
      long uptimeSeconds,
      AgentVersions versions,
      LibvirtHealth libvirt,
      long spoolDepth,
      boolean sslVerify,
      List<String> warnings,
      String newestKnownVersion,
      Integer heartbeatIntervalSeconds,
      List<VmSummary> vms,
      List<OperationCapability> operations,
      Long clockOffsetMs,
      Boolean clockSynchronized,
      String prometheusEndpoint) {
    this(
        status,
        reasons,
        uptimeSeconds,
        versions,
        libvirt,
        spoolDepth,
        sslVerify,
        warnings,
        newestKnownVersion,
        heartbeatIntervalSeconds,
        vms,
        operations,
        clockOffsetMs,
        clockSynchronized,
        prometheusEndpoint,
        null);
  }

  /**
   * This heartbeat as a backend speaking {@code protocolVersion} reads it: without the members it
   * does not know (it refuses unknown members).
   */
  public HeartbeatRequest forProtocol(int protocolVersion) {
    if (protocolVersion >= 4) {
      return this;
    }
    if (protocolVersion == 3) {
      return this.protocolVersion == null ? this : withProtocolVersion(null);
    }
    return withLater(vms, null, null, null, null, null);
  }

  /** This heartbeat naming {@code version} as the protocol the agent speaks (null: not). */
  public HeartbeatRequest withProtocolVersion(Integer version) {
    return withLater(
        vms, operations, clockOffsetMs, clockSynchronized, prometheusEndpoint, version);
  }

  /** This heartbeat carrying {@code versioned} as its operations. */
  public HeartbeatRequest withOperations(List<OperationCapability> versioned) {
    return withLater(
        vms, versioned, clockOffsetMs, clockSynchronized, prometheusEndpoint, protocolVersion);
  }

  /** This heartbeat with another inventory ({@code null}: none). */
  public HeartbeatRequest withVms(List<VmSummary> inventory) {
    return withLater(
        inventory,
        operations,
        clockOffsetMs,
        clockSynchronized,
        prometheusEndpoint,
        protocolVersion);
  }

  /** This heartbeat naming {@code endpoint} ({@code host:port}, or null) as its Prometheus one. */
  public HeartbeatRequest withPrometheusEndpoint(String endpoint) {
    return withLater(vms, operations, clockOffsetMs, clockSynchronized, endpoint, protocolVersion);
  }

  /** This heartbeat with its inventory and every member after it replaced. */
  private HeartbeatRequest withLater(
      List<VmSummary> vms,
      List<OperationCapability> operations,
      Long clockOffsetMs,
      Boolean clockSynchronized,
      String prometheusEndpoint,
      Integer protocolVersion) {
    return new HeartbeatRequest(
        status,
        reasons,
        uptimeSeconds,
        versions,
        libvirt,
        spoolDepth,
        sslVerify,
        warnings,
        newestKnownVersion,
        heartbeatIntervalSeconds,
        vms,
        operations,
        clockOffsetMs,
        clockSynchronized,
        prometheusEndpoint,
        protocolVersion);
  }
}
