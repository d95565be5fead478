package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.DrainView;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.MigrationEndpoint;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.QueueCommandRequest;
import io.vmagent.protocol.VmSummary;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code vm-backend agents drain} against a running backend, with agents played over the real API:
 * what a draining agent is refused, the end of a drain, and the choice of destinations by free
 * memory, one move at a time. Drains between real daemons run in the faults module.
 */
class DrainCliTest extends CliAgainstBackend {
  private void inventory(TestAgent agent, VmSummary... vms) {
    client
        .post(
            ProtocolPaths.heartbeat(agent.agentId),
            agent.accessToken,
            TestAgent.healthyHeartbeat(List.of(vms)))
        .as(Map.class);
  }

  private void availableMemory(TestAgent agent, long bytes) {
    ObjectNode snapshot = JsonNodeFactory.instance.objectNode();
    snapshot.putObject("system").putObject("memory").put("available_bytes", bytes);
    assertThat(
            client
                .post(
                    ProtocolPaths.metrics(agent.agentId),
                    agent.accessToken,
                    new MetricsBatch(List.of(new MetricsSample(Instant.now(), snapshot))))
                .status())
        .isEqualTo(200);
  }

  private ContractClient.Answer queueStart(String agentId) {
    return client.post(
        ProtocolPaths.OPERATOR_COMMANDS,
        backend.operatorToken(),
        new QueueCommandRequest(agentId, "start", Map.of("vm", "web-1"), null));
  }

  private DrainView drain(String agentId) {
    return client
        .get(ProtocolPaths.operatorAgentDrain(agentId), backend.operatorToken())
        .as(DrainView.class);
  }

  @Test
  void aDrainingAgentIsRefusedEveryOtherCommandUntilTheDrainEnds() {
    TestAgent source = registerHost("host-a", null);
    registerHost("host-b", new MigrationEndpoint("qemu+tls://host-b.example/system", null));

    assertThat(cli("agents", "drain", "host-a", "--to", "host-b", "--data-dir", data())).isZero();
    assertThat(out)
        .contains("\"agent_id\" : \"host-a\"")
        .contains("\"to\" : \"host-b\"")
        .contains("\"started_by\" : ");

    ContractClient.Answer refused = queueStart("host-a");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.problem().code()).isEqualTo(ErrorCode.AGENT_DRAINING);
    assertThat(refused.problem().detail()).contains("host-a is being drained");
    assertThat(source.poll(1).commands()).isEmpty();
    assertThat(cli("commands", "list", "--agent", "host-a", "--data-dir", data())).isZero();
    assertThat(out).doesNotContain("start");
    // A migration onto the draining host is refused too; the other host takes commands.
    assertThat(
            cli(
                "op",
                "migrate",
                "web-9",
                "--agent",
                "host-b",
                "--to",
                "host-a",
                "--data-dir",
                data()))
        .isNotZero();
    assertThat(queueStart("host-b").status()).isEqualTo(201);

    assertThat(cli("agents", "show", "host-a", "--data-dir", data())).isZero();
    assertThat(err).contains("agent host-a is being drained").contains("\"done\" : true");

    assertThat(cli("agents", "drain", "host-a", "--end", "--data-dir", data())).isZero();
    assertThat(out).contains("drain of agent host-a ended");
    assertThat(queueStart("host-a").status()).isEqualTo(201);
    assertThat(source.poll(5).commands()).extracting(Command::operation).containsExactly("start");
    assertThat(cli("agents", "drain", "host-a", "--end", "--data-dir", data())).isNotZero();
    assertThat(err).contains("host-a is not being drained");
  }

  @Test
  void eachRunningVmMovesToTheAgentWithTheMostFreeMemoryOneAtATime() {
    TestAgent source = registerHost("host-a", null);
    TestAgent small =
        registerHost("host-b", new MigrationEndpoint("qemu+tls://host-b/system", null));
    TestAgent roomy =
        registerHost("host-c", new MigrationEndpoint("qemu+tls://host-c/system", null));
    registerHost("host-d", null);
    inventory(
        source,
        new VmSummary("web-1", "11111111-1111-1111-1111-111111111111", "running"),
        new VmSummary("web-2", "22222222-2222-2222-2222-222222222222", "running"),
        new VmSummary("old", "33333333-3333-3333-3333-333333333333", "shut_off"));
    availableMemory(small, 1L << 30);
    availableMemory(roomy, 8L << 30);

    assertThat(cli("agents", "drain", "host-a", "--param", "bogus=1", "--data-dir", data()))
        .isNotZero();
    assertThat(err).contains("unknown migration option(s) bogus");
    assertThat(cli("agents", "drain", "host-a", "--param", "bandwidth_mib=7", "--data-dir", data()))
        .isZero();

    Command info = source.poll(15).commands().get(0);
    assertThat(info.operation()).isEqualTo("info");
    assertThat(info.params()).containsEntry("vm", "web-1");
    ObjectNode vm = JsonNodeFactory.instance.objectNode();
    vm.putObject("vm").put("name", "web-1").put("state", "running");
    vm.put("xml", "<domain type='kvm'><name>web-1</name></domain>");
    Instant now = Instant.now();
    source.submit(CommandResult.succeeded(info.id(), vm, now.minusMillis(5), now));
    Command prepare = roomy.poll(15).commands().get(0);
    assertThat(prepare.operation()).isEqualTo("migrate_prepare");

    DrainView drain = drain("host-a");
    assertThat(drain.done()).isFalse();
    assertThat(drain.moves())
        .extracting(m -> m.vm() + " " + m.destinationAgent() + " " + m.state())
        .containsExactly("web-1 host-c preparing", "web-2 null waiting");
    assertThat(drain.moves().get(0).migrationId()).isNotNull();
    // One at a time: the second VM is not looked at while the first moves.
    assertThat(source.poll(1).commands()).isEmpty();
    assertThat(small.poll(1).commands()).isEmpty();
    // The drain's options reach each migrate.
    roomy.succeed(prepare, "ready");
    Command migrate = source.poll(15).commands().get(0);
    assertThat(migrate.operation()).isEqualTo("migrate");
    assertThat(migrate.params())
        .containsEntry("vm", "web-1")
        .containsEntry("bandwidth_mib", "7")
        .containsEntry("destination_uri", "qemu+tls://host-c/system");
  }
}
