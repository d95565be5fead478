package io.vmagent.backend;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.protocol.AgentVersions;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.HeartbeatResponse;
import io.vmagent.protocol.HypervisorFacts;
import io.vmagent.protocol.LibvirtHealth;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.protocol.RegisterResponse;
import io.vmagent.protocol.ResultAck;
import io.vmagent.protocol.VmSummary;
import java.time.Instant;
import java.util.List;

/** Plays an agent against the backend through the contract-checking client. */
final class TestAgent {
  final ContractClient client;
  final String agentId;
  String accessToken;
  String refreshToken;
  String bootstrapToken;

  TestAgent(ContractClient client, String agentId) {
    this.client = client;
    this.agentId = agentId;
  }

  /** An agent registered with a new multi-use bootstrap token of {@code backend}. */
  static TestAgent registered(ContractClient client, RunningBackend backend, String agentId) {
    TestAgent agent = new TestAgent(client, agentId);
    agent.register(backend.createBootstrapToken(false, null));
    return agent;
  }

  static RegisterRequest identity(String agentId, Integer heartbeatIntervalSeconds) {
    return new RegisterRequest(
        agentId,
        "agent " + agentId,
        agentId + ".example.net",
        "0.1.0",
        "test:///default",
        new HypervisorFacts("Test", "2.0.0", "9.0.0", "i686", 2, 3_221_225_472L, "i686"),
        List.of(
            "start", "stop", "restart", "pause", "resume", "delete", "snapshot", "list", "info"),
        heartbeatIntervalSeconds);
  }

  RegisterResponse register(String bootstrapToken) {
    return register(bootstrapToken, null);
  }

  RegisterResponse register(String bootstrapToken, Integer heartbeatIntervalSeconds) {
    RegisterResponse response =
        client
            .post(
                ProtocolPaths.REGISTER, bootstrapToken, identity(agentId, heartbeatIntervalSeconds))
            .as(RegisterResponse.class);
    accessToken = response.accessToken();
    refreshToken = response.refreshToken();
    this.bootstrapToken = bootstrapToken;
    return response;
  }

  static HeartbeatRequest healthyHeartbeat(List<VmSummary> vms) {
    return new HeartbeatRequest(
        HealthStatus.HEALTHY,
        List.of(),
        120,
        new AgentVersions("0.1.0", "17", "9.0.0", "2.0.0", "Debian 12"),
        new LibvirtHealth(true, "test:///default", null, 2L),
        0,
        true,
        List.of(),
        null,
        null,
        vms);
  }

  HeartbeatResponse heartbeat() {
    return client
        .post(ProtocolPaths.heartbeat(agentId), accessToken, healthyHeartbeat(null))
        .as(HeartbeatResponse.class);
  }

  /** A heartbeat as {@link #healthyHeartbeat} but for its status and reasons, without inventory. */
  static HeartbeatRequest judgedHeartbeat(HealthStatus status, List<String> reasons) {
    HeartbeatRequest healthy = healthyHeartbeat(null);
    return new HeartbeatRequest(
        status,
        reasons,
        healthy.uptimeSeconds(),
        healthy.versions(),
        healthy.libvirt(),
        healthy.spoolDepth(),
        healthy.sslVerify(),
        healthy.warnings(),
        null,
        null,
        null);
  }

  /** The last heartbeat of an agent that shuts down. */
  HeartbeatResponse stoppingHeartbeat() {
    HeartbeatRequest stopping =
        judgedHeartbeat(
            HealthStatus.STOPPING, List.of("going offline: the agent is shutting down"));
    return client
        .post(ProtocolPaths.heartbeat(agentId), accessToken, stopping)
        .as(HeartbeatResponse.class);
  }

  CommandBatch poll(int waitSeconds) {
    return client
        .get(ProtocolPaths.commands(agentId, waitSeconds), accessToken)
        .as(CommandBatch.class);
  }

  ContractClient.Answer submit(CommandResult result) {
    return client.post(ProtocolPaths.results(agentId), accessToken, result);
  }

  ResultAck succeed(Command command, String state) {
    ObjectNode result = JsonNodeFactory.instance.objectNode().put("state", state);
    Instant now = Instant.now();
    return submit(CommandResult.succeeded(command.id(), result, now.minusMillis(5), now))
        .as(ResultAck.class);
  }
}
