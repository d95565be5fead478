package io.vmagent.protocol;

import java.util.List;

/**
 * The agent's identity, presented with its bootstrap token to {@link ProtocolPaths#REGISTER}.
 *
 * @param agentId the agent's stable id (see {@link ProtocolPaths#AGENT_ID_PATTERN})
 * @param name a human-friendly name
 * @param hostname the host's name
 * @param agentVersion the agent's version
 * @param libvirtUri the libvirt URI the agent manages
 * @param hypervisor what libvirt says about the host; may be null
 * @param capabilities the operations this agent can run
 * @param heartbeatIntervalSeconds how often the agent heartbeats; may be null (backend default)
 */
public record RegisterRequest(
    String agentId,
    String name,
    String hostname,
    String agentVersion,
    String libvirtUri,
    HypervisorFacts hypervisor,
    List<String> capabilities,
    Integer heartbeatIntervalSeconds) {

  /** Normalises an absent capability list to an empty one. */
  public RegisterRequest {
    capabilities = Copies.list(capabilities);
  }
}
