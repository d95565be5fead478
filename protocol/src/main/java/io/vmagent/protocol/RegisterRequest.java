package io.vmagent.protocol;

import java.util.List;

/**
 * The agent's identity, presented to {@link ProtocolPaths#REGISTER} with its bootstrap token or a
 * proof that it holds the key its id is bound to.
 *
 * @param agentId the agent's stable id (see {@link ProtocolPaths#AGENT_ID_PATTERN})
 * @param name a human-friendly name
 * @param hostname the host's name
 * @param agentVersion the agent's version
 * @param libvirtUri the libvirt URI the agent manages
 * @param hypervisor what libvirt says about the host; may be null
 * @param capabilities the operations this agent can run
 * @param heartbeatIntervalSeconds how often the agent heartbeats; may be null (backend default)
 * @param protocolVersion the protocol version the agent speaks; null for version 1 (protocol 2)
 * @param publicKey the agent's public key, base64 of its DER SubjectPublicKeyInfo (protocol 2)
 * @param proof a signature over a challenge with that key, when the id is already bound to it
 *     (protocol 2)
 * @param operations the operations with the versions of their parameter sets (protocol 3); null for
 *     an agent that sends only {@code capabilities}
 * @param migration how other hosts migrate VMs to this one (protocol 4); null when it takes none
 */
public record RegisterRequest(
    String agentId,
    String name,
    String hostname,
    String agentVersion,
    String libvirtUri,
    HypervisorFacts hypervisor,
    List<String> capabilities,
    Integer heartbeatIntervalSeconds,
    Integer protocolVersion,
    String publicKey,
    IdentityProof proof,
    List<OperationCapability> operations,
    MigrationEndpoint migration) {

  /** Normalises an absent capability list to an empty one; keeps absent operations null. */
  public RegisterRequest {
    capabilities = Copies.list(capabilities);
    operations = operations == null ? null : List.copyOf(operations);
  }

  /** A protocol-3 registration: no migration endpoint. */
  public RegisterRequest(
      String agentId,
      String name,
      String hostname,
      String agentVersion,
      String libvirtUri,
      HypervisorFacts hypervisor,
      List<String> capabilities,
      Integer heartbeatIntervalSeconds,
      Integer protocolVersion,
      String publicKey,
      IdentityProof proof,
      List<OperationCapability> operations) {
    this(
        agentId,
        name,
        hostname,
        agentVersion,
        libvirtUri,
        hypervisor,
        capabilities,
        heartbeatIntervalSeconds,
        protocolVersion,
        publicKey,
        proof,
        operations,
        null);
  }

  /** A protocol-2 registration: no versioned operations. */
  public RegisterRequest(
      String agentId,
      String name,
      String hostname,
      String agentVersion,
      String libvirtUri,
      HypervisorFacts hypervisor,
      List<String> capabilities,
      Integer heartbeatIntervalSeconds,
      Integer protocolVersion,
      String publicKey,
      IdentityProof proof) {
    this(
        agentId,
        name,
        hostname,
        agentVersion,
        libvirtUri,
        hypervisor,
        capabilities,
        heartbeatIntervalSeconds,
        protocolVersion,
        publicKey,
        proof,
        null);
  }

  /** A protocol-1 registration: no key, no proof. */
  public RegisterRequest(
      String agentId,
      String name,
      String hostname,
      String agentVersion,
      String libvirtUri,
      HypervisorFacts hypervisor,
      List<String> capabilities,
      Integer heartbeatIntervalSeconds) {
    this(
        agentId,
        name,
        hostname,
        agentVersion,
        libvirtUri,
        hypervisor,
        capabilities,
        heartbeatIntervalSeconds,
        null,
        null,
        null);
  }

  /** This request with a public key and protocol version, and the proof when not null. */
  public RegisterRequest withKey(int version, String key, IdentityProof keyProof) {
    return new RegisterRequest(
        agentId,
        name,
        hostname,
        agentVersion,
        libvirtUri,
        hypervisor,
        capabilities,
        heartbeatIntervalSeconds,
        version,
        key,
        keyProof,
        operations,
        migration);
  }

  /** This request with {@code versioned} as its operations (null leaves them out). */
  public RegisterRequest withOperations(List<OperationCapability> versioned) {
    return new RegisterRequest(
        agentId,
        name,
        hostname,
        agentVersion,
        libvirtUri,
        hypervisor,
        capabilities,
        heartbeatIntervalSeconds,
        protocolVersion,
        publicKey,
        proof,
        versioned,
        migration);
  }

  /** This request with {@code endpoint} as its migration endpoint (null leaves it out). */
  public RegisterRequest withMigration(MigrationEndpoint endpoint) {
    return new RegisterRequest(
        agentId,
        name,
        hostname,
        agentVersion,
        libvirtUri,
        hypervisor,
        capabilities,
        heartbeatIntervalSeconds,
        protocolVersion,
        publicKey,
        proof,
        operations,
        endpoint);
  }
}
