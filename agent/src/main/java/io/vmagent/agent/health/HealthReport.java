package io.vmagent.agent.health;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.vmagent.agent.libvirt.ConnectionState;
import java.util.List;
import java.util.Map;

/**
 * Result of {@code health_check}: whether libvirt answered, the connection's state, hypervisor and
 * libvirt versions, host name, domain counts by state and how long the check took, then each system
 * resource against its threshold. Healthy when libvirt answered and no threshold is passed.
 *
 * @param reasons why the host is not healthy, as the heartbeat reports them; empty when healthy
 * @param resources every resource check that ran
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
    String error,
    List<String> reasons,
    List<ResourceCheck> resources) {

  public HealthReport {
    reasons = List.copyOf(reasons);
    resources = List.copyOf(resources);
  }
}
