package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * Result of {@code health_check}: whether libvirt answered, the connection's state, hypervisor and
 * libvirt versions, host name, domain counts by state and how long the check took.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HealthReport(
    String operation,
    boolean healthy,
    ConnectionState connection,
    String uri,
    String hypervisorType,
    String hypervisorVersion,
    String libvirtVersion,
    String hostName,
    Integer domainsTotal,
    Map<String, Integer> domainsByState,
    long latencyMs,
    long reconnects,
    String error)
    implements OperationOutput {}
