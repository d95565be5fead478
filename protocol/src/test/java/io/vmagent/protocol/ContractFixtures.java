package io.vmagent.protocol;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One fully populated instance of each message, for contract tests. */
final class ContractFixtures {
  private ContractFixtures() {}

  static final Instant T0 = Instant.parse("2026-11-25T16:00:00Z");
  static final String COMMAND_ID = "4a8e1e4e-2f7b-4b8e-9f2a-0c1d2e3f4a5b";

  static RegisterRequest register() {
    return new RegisterRequest(
        "host-01",
        "vm-agent",
        "host-01.example.net",
        "0.1.0",
        "qemu:///system",
        new HypervisorFacts("QEMU", "7.2.0", "9.0.0", "EPYC", 16, 68_719_476_736L, "x86_64"),
        List.of("start", "stop", "list"),
        30);
  }

  /** Base64 of a P-256 SubjectPublicKeyInfo (the shape the protocol sends). */
  static final String PUBLIC_KEY =
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEVzA2wqFw8d3xdqz1qfjR5x6C0Gg1t5wq8k0rHh1bXgQz0f6m7n0x"
          + "bZ0o3dZ8y1jA7tC7p8b6l3mA9c2w4x5y6Q==";

  static RegisterRequest registerWithProof() {
    return register()
        .withKey(
            ProtocolPaths.PROTOCOL_VERSION,
            PUBLIC_KEY,
            new IdentityProof(
                "vmc_4f6b2c1d0e9a8b7c6d5e4f3a2b1c0d9e",
                "MEUCIQDx0tq3Rk9b0Qq7m3yYw8lZk1pQ2c3v4b5n6m7a8s9d0fAIgXy1z2c3v4b5n6m7a8s9d0f1g2h3j4k5l6z7x8c9v0b1n2m3="))
        .withOperations(operations())
        .withMigration(
            new MigrationEndpoint("qemu+tls://host-b.example/system", "tcp://10.0.0.12"));
  }

  static List<OperationCapability> operations() {
    return List.of(
        new OperationCapability("list", 1),
        new OperationCapability("start", 1),
        new OperationCapability("stop", 1));
  }

  static HeartbeatRequest heartbeat() {
    return new HeartbeatRequest(
        HealthStatus.DEGRADED,
        List.of("spool above 80%"),
        3600,
        new AgentVersions("0.1.0", "17.0.15", "9.0.0", "7.2.0", "Debian 12"),
        new LibvirtHealth(true, "qemu:///system", null, 3L),
        12,
        false,
        List.of("TLS verification is off"),
        "0.2.0",
        30,
        List.of(new VmSummary("web-1", "6695eb01-f6a4-8304-79aa-97f2502e193f", "running")));
  }

  static ObjectNode object(String key, String value) {
    return JsonNodeFactory.instance.objectNode().put(key, value);
  }

  static CommandResult result() {
    return new CommandResult(
        COMMAND_ID,
        ResultStatus.SUCCEEDED,
        object("state", "running"),
        null,
        T0,
        T0.plusSeconds(2));
  }

  static CommandResult failedResult() {
    return CommandResult.failed(
        COMMAND_ID, CommandError.of(ErrorCode.VM_NOT_FOUND), T0, T0.plusMillis(20));
  }

  /** A stop cut short by a cancel request: failed with CANCELLED, the VM's states kept. */
  static CommandResult cancelledResult() {
    return new CommandResult(
        COMMAND_ID,
        ResultStatus.FAILED,
        object("state_after", "running"),
        CommandError.of(ErrorCode.CANCELLED),
        T0,
        T0.plusSeconds(3));
  }

  static MetricsBatch metricsWithOffset() {
    return new MetricsBatch(
        List.of(new MetricsSample(T0, metrics().samples().get(0).snapshot(), -1500L)));
  }

  static EventBatch eventsWithOffset() {
    VmEvent started = events().events().get(0);
    return new EventBatch(
        List.of(
            new VmEvent(
                8,
                T0,
                started.vmName(),
                started.vmUuid(),
                VmEventType.STOPPED,
                "shutdown",
                250_000L)));
  }

  static Command command() {
    return new Command(
        COMMAND_ID, "start", Map.of("vm", "web-1"), T0.plusSeconds(300), T0.plusSeconds(60), 1, T0);
  }

  static MetricsBatch metrics() {
    ObjectNode snapshot = JsonNodeFactory.instance.objectNode();
    snapshot.putObject("system").put("cpu_percent", 12.5);
    return new MetricsBatch(List.of(new MetricsSample(T0, snapshot)));
  }

  static EventBatch events() {
    return new EventBatch(
        List.of(
            new VmEvent(
                7,
                T0,
                "web-1",
                "6695eb01-f6a4-8304-79aa-97f2502e193f",
                VmEventType.STARTED,
                "booted")));
  }

  static AgentStatus agentStatus() {
    HeartbeatRequest hb = heartbeat();
    RegisterRequest reg = register();
    return new AgentStatus(
        reg.agentId(),
        reg.name(),
        reg.hostname(),
        reg.agentVersion(),
        reg.libvirtUri(),
        reg.hypervisor(),
        reg.capabilities(),
        Connectivity.ONLINE,
        T0,
        T0.plusSeconds(30),
        30,
        hb.status(),
        hb.reasons(),
        hb.uptimeSeconds(),
        hb.versions(),
        hb.libvirt(),
        hb.spoolDepth(),
        hb.sslVerify(),
        hb.warnings(),
        hb.newestKnownVersion(),
        1,
        1,
        "3f:1a:09:c2:5e:77:d1:0b:8a:44:2e:91:c0:6d:13:f5",
        T0.plusSeconds(60),
        operations(),
        -1250L,
        true);
  }

  static CommandView commandView() {
    Command c = command();
    return new CommandView(
        c.id(),
        "host-01",
        c.operation(),
        c.params(),
        CommandState.SUCCEEDED,
        T0,
        c.deadline(),
        c.leaseExpiresAt(),
        1,
        result());
  }
}
