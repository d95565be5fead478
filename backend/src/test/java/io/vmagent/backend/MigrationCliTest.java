package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandError;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.MigrateRequest;
import io.vmagent.protocol.MigrationEndpoint;
import io.vmagent.protocol.MigrationView;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.QueueCommandRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code vm-backend op migrate VM --agent SRC --to DST} against a running backend, with two agents
 * played over the real API: the backend's steps in order, and what it records when the destination
 * refuses. The migrations between real daemons run in the faults module.
 */
class MigrationCliTest extends CliAgainstBackend {
  private static CommandResult answer(Command command, ObjectNode result) {
    Instant now = Instant.now();
    return CommandResult.succeeded(command.id(), result, now.minusMillis(5), now);
  }

  @Test
  void aDestinationThatRefusesLeavesTheVmRecordedOnTheSource() throws Exception {
    TestAgent source = registerHost("host-a", null);
    TestAgent destination =
        registerHost("host-b", new MigrationEndpoint("qemu+tls://host-b.example/system", null));
    CompletableFuture<List<String>> agents =
        CompletableFuture.supplyAsync(
            () -> {
              Command info = source.poll(15).commands().get(0);
              ObjectNode vm = JsonNodeFactory.instance.objectNode();
              vm.putObject("vm").put("name", "web-1").put("state", "running");
              vm.put("xml", "<domain type='kvm'><name>web-1</name></domain>");
              source.submit(answer(info, vm));
              Command prepare = destination.poll(15).commands().get(0);
              Instant now = Instant.now();
              destination.submit(
                  CommandResult.failed(
                      prepare.id(),
                      new CommandError(
                          ErrorCode.INVALID_STATE,
                          "this host cannot take VM 'web-1': the VM needs 4096 MiB"),
                      now,
                      now));
              CommandBatch none = source.poll(2);
              return List.of(
                  info.operation() + " " + new TreeMap<>(info.params()),
                  prepare.operation() + " " + prepare.params().get("xml"),
                  "then " + none.commands().size());
            });

    int exit =
        cli(
            "op",
            "migrate",
            "web-1",
            "--agent",
            "host-a",
            "--to",
            "host-b",
            "--wait",
            "--timeout",
            "30s",
            "--data-dir",
            data());

    assertThat(exit).isEqualTo(4);
    assertThat(out)
        .contains("\"state\" : \"failed\"")
        .contains("\"holder\" : \"host-a\"")
        .contains("the destination refused the VM, which stays on the source")
        .contains("INVALID_STATE: this host cannot take VM 'web-1'");
    assertThat(err).contains("migration").contains("is failed");
    // The refusal ends it: no migrate is queued, the source is not asked again.
    assertThat(agents.get(30, TimeUnit.SECONDS))
        .containsExactly(
            "info {include_xml=true, vm=web-1}",
            "migrate_prepare <domain type='kvm'><name>web-1</name></domain>",
            "then 0");
  }

  @Test
  void aDestinationWithoutAMigrationUriIsRefusedAtOnce() {
    registerHost("host-a", null);
    registerHost("host-c", null);

    int exit =
        cli("op", "migrate", "web-1", "--agent", "host-a", "--to", "host-c", "--data-dir", data());

    assertThat(exit).isNotZero();
    assertThat(err).contains("agent host-c takes no migrations");
  }

  @Test
  void aVmBeingMigratedTakesOnlyInfoAndMigrateAbortUntilTheMigrationEnds() throws Exception {
    TestAgent source = registerHost("host-a", null);
    registerHost("host-b", new MigrationEndpoint("qemu+tls://host-b.example/system", null));
    MigrationView begun = beginWeb1().as(MigrationView.class);

    for (String agent : List.of("host-a", "host-b")) {
      ContractClient.Answer refused = queue(agent, "start", "web-1");
      assertThat(refused.status()).isEqualTo(409);
      assertThat(refused.problem().code()).isEqualTo(ErrorCode.VM_MIGRATING);
      assertThat(refused.problem().detail())
          .contains("VM web-1 is being migrated (migration " + begun.migrationId() + ")")
          .contains("only info and migrate_abort reach it now");
    }
    ContractClient.Answer again = beginWeb1();
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.problem().code()).isEqualTo(ErrorCode.VM_MIGRATING);
    assertThat(queue("host-a", "info", "web-1").status()).isEqualTo(201);
    assertThat(queue("host-a", "migrate_abort", "web-1").status()).isEqualTo(201);
    assertThat(queue("host-a", "start", "web-2").status()).isEqualTo(201);

    // Nothing refused reached the agent; the migration's own info did.
    List<Command> leased = source.poll(5).commands();
    assertThat(leased)
        .extracting(c -> c.operation() + " " + c.params().get("vm"))
        .containsExactlyInAnyOrder(
            "info web-1", "info web-1", "migrate_abort web-1", "start web-2");
    for (Command command : leased) {
      Instant now = Instant.now();
      source.submit(
          CommandResult.failed(
              command.id(), new CommandError(ErrorCode.NOT_FOUND, "no VM web-1"), now, now));
    }
    MigrationView ended = backend.awaitMigration(begun.migrationId(), Duration.ofSeconds(20));
    assertThat(ended.state()).isEqualTo("failed");
    assertThat(queue("host-a", "start", "web-1").status()).isEqualTo(201);
  }

  private ContractClient.Answer queue(String agentId, String operation, String vm) {
    return client.post(
        ProtocolPaths.OPERATOR_COMMANDS,
        backend.operatorToken(),
        new QueueCommandRequest(agentId, operation, Map.of("vm", vm), null));
  }

  @Test
  void aPausedCopyTheSourceKeptIsRemovedAndTheDestinationRecordedAsHolder() throws Exception {
    TestAgent source = registerHost("host-a", null);
    TestAgent destination =
        registerHost("host-b", new MigrationEndpoint("qemu+tls://host-b.example/system", null));
    MigrationView begun = beginWeb1().as(MigrationView.class);

    ObjectNode inspected = vm("running");
    inspected.put("xml", "<domain type='kvm'><name>web-1</name></domain>");
    source.submit(answer(next(source, "info"), inspected));
    destination.submit(
        answer(next(destination, "migrate_prepare"), JsonNodeFactory.instance.objectNode()));
    Command migrate = next(source, "migrate");
    Instant now = Instant.now();
    // What the source's agent reports after a restart when it died inside libvirt's migration.
    source.submit(
        CommandResult.failed(
            migrate.id(),
            new CommandError(
                ErrorCode.OPERATION_FAILED,
                "interrupted: the agent stopped while it ran; not run again"),
            now,
            now));
    source.submit(answer(next(source, "info"), vm("paused")));
    destination.submit(answer(next(destination, "info"), vm("running")));
    Command delete = next(source, "delete");
    assertThat(delete.params())
        .containsExactlyInAnyOrderEntriesOf(Map.of("vm", "web-1", "remove_storage", "false"));
    source.submit(answer(delete, vm("undefined")));

    MigrationView done = backend.awaitMigration(begun.migrationId(), Duration.ofSeconds(20));
    assertThat(done.state()).isEqualTo("succeeded");
    assertThat(done.holder()).isEqualTo("host-b");
    assertThat(done.message()).contains("the paused copy it left was destroyed and undefined");
    assertThat(source.poll(1).commands()).as("nothing more for the source").isEmpty();
  }

  /** Asks to move web-1 from host-a to host-b. */
  private ContractClient.Answer beginWeb1() {
    return client.post(
        ProtocolPaths.OPERATOR_MIGRATIONS,
        backend.operatorToken(),
        new MigrateRequest("web-1", "host-a", "host-b", Map.of()));
  }

  /** The agent's next command, which must be {@code operation}. */
  private static Command next(TestAgent agent, String operation) {
    List<Command> commands = agent.poll(15).commands();
    assertThat(commands).extracting(Command::operation).containsExactly(operation);
    return commands.get(0);
  }

  private static ObjectNode vm(String state) {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.putObject("vm").put("name", "web-1").put("state", state);
    return result;
  }
}
