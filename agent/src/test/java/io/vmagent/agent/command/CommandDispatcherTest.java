package io.vmagent.agent.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.VmOperations;
import io.vmagent.agent.operation.Operation;
import io.vmagent.agent.operation.OperationRegistry;
import io.vmagent.agent.state.StateDir;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.ResultStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandDispatcherTest {
  @TempDir Path state;
  private final AtomicInteger runs = new AtomicInteger();
  private LibvirtConnectionManager libvirt;
  private CommandDispatcher dispatcher;
  private VmOperations operations;

  @BeforeEach
  void setUp() throws Exception {
    libvirt =
        new LibvirtConnectionManager(
            hostUri(), Duration.ofSeconds(10), 2, Duration.ofMillis(50), Duration.ofMillis(500));
    libvirt.start();
    operations = new VmOperations(libvirt, Duration.ofSeconds(5), 2);
    dispatcher = dispatcher();
  }

  @AfterEach
  void tearDown() {
    operations.close();
    libvirt.close();
  }

  @Test
  void unknownOperationGetsAClearErrorResult() throws Exception {
    CommandResult result = dispatcher.handle(command("reformat_disk", Map.of())).orElseThrow();

    assertThat(result.status()).isEqualTo(ResultStatus.FAILED);
    assertThat(result.error().code()).isEqualTo(ErrorCode.UNKNOWN_OPERATION);
    assertThat(result.error().message()).contains("reformat_disk").contains("start");
  }

  @Test
  void unknownParameterIsRefusedBeforeAnythingRuns() throws Exception {
    CommandResult result =
        dispatcher
            .handle(command("counted", Map.of("vm", "app-01", "colour", "red")))
            .orElseThrow();

    assertThat(result.error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(result.error().message()).contains("colour");
    assertThat(runs).hasValue(0);
  }

  @Test
  void missingVmParameterIsRefusedAndTheVmIsUntouched() throws Exception {
    CommandResult result = dispatcher.handle(command("pause", Map.of())).orElseThrow();

    assertThat(result.error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(result.error().message()).contains("'vm'");
    assertThat(vmState("app-01")).isEqualTo("running");
  }

  @Test
  void commandPastItsDeadlineIsNotStarted() throws Exception {
    Command late =
        new Command(
            UUID.randomUUID().toString(),
            "counted",
            Map.of("vm", "app-01"),
            Instant.now().minusSeconds(1),
            Instant.now().plusSeconds(60),
            1,
            Instant.now().minusSeconds(60));

    CommandResult result = dispatcher.handle(late).orElseThrow();

    assertThat(result.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
    assertThat(runs).hasValue(0);
  }

  @Test
  void deleteDeliveredAgainIsAnsweredFromTheJournalNotRunTwice() throws Exception {
    Command delete = command("delete", Map.of("vm", "app-01"));

    CommandResult first = dispatcher.handle(delete).orElseThrow();
    CommandResult again = dispatcher.handle(delete).orElseThrow();
    CommandResult afterRestart = dispatcher().handle(delete).orElseThrow();

    assertThat(first.status()).isEqualTo(ResultStatus.SUCCEEDED);
    assertThat(json(again)).isEqualTo(json(first));
    assertThat(json(afterRestart)).isEqualTo(json(first));
    CommandResult fresh =
        dispatcher.handle(command("delete", Map.of("vm", "app-01"))).orElseThrow();
    assertThat(fresh.error().code()).isEqualTo(ErrorCode.VM_NOT_FOUND);
  }

  @Test
  void commandCutShortByACrashIsReportedAndNotRunAgain() throws Exception {
    Command command = command("counted", Map.of("vm", "app-01"));
    new CommandJournal(new StateDir(state)).started(command.id(), "counted", Instant.now());

    CommandResult result = dispatcher().handle(command).orElseThrow();

    assertThat(result.status()).isEqualTo(ResultStatus.FAILED);
    assertThat(result.error().message()).isEqualTo(CommandDispatcher.INTERRUPTED_MESSAGE);
    assertThat(runs).hasValue(0);
  }

  @Test
  void aCreateCutShortByACrashIsReportedWithWhatItLeft() throws Exception {
    Command create =
        command(
            "create",
            Map.of("vm", "new-01", "vcpus", "1", "memory_mib", "64", "disks", "pool=x,size=1"));
    new CommandJournal(new StateDir(state)).started(create.id(), "create", "new-01", Instant.now());

    CommandResult result = dispatcher().handle(create).orElseThrow();

    assertThat(result.error().code()).isEqualTo(ErrorCode.OPERATION_FAILED);
    assertThat(result.error().message())
        .isEqualTo(
            CommandDispatcher.INTERRUPTED_LEFT
                + "nothing: no VM 'new-01' is defined and no volume was made for it");
    assertThat(operations.list().vms()).noneMatch(vm -> vm.name().equals("new-01"));
  }

  @Test
  void theJournalKnowsTheVmOfACommandWhileItRuns() throws Exception {
    CommandJournal journal = new CommandJournal(new StateDir(state));
    List<String> seen = new ArrayList<>();
    Operation<String> peek =
        new Operation<>(
            "peek",
            Set.of("vm"),
            p -> p.requiredString("vm"),
            false,
            Duration.ofMinutes(1),
            vm -> {
              for (JournalEntry entry : journal.all()) {
                seen.add(entry.vm());
              }
              return JsonNodeFactory.instance.objectNode();
            });
    CommandDispatcher withPeek =
        new CommandDispatcher(
            OperationRegistry.of(operations.operations(), peek), journal, Clock.systemUTC());

    Command command = command("peek", Map.of("vm", "app-01"));
    withPeek.handle(command);

    assertThat(seen).containsExactly("app-01");
    assertThat(journal.find(command.id()).orElseThrow().vm()).isNull();
  }

  @Test
  void commandInterruptedAtShutdownIsJournaledIntact() throws Exception {
    // Lifecycle's shutdownNow interrupts a worker whose command outlived AGENT_SHUTDOWN_TIMEOUT;
    // the operation ends with the interrupt and its result must still reach the journal.
    Operation<String> waiting =
        new Operation<>(
            "waiting",
            Set.of("vm"),
            p -> p.requiredString("vm"),
            true,
            Duration.ofMinutes(1),
            vm -> {
              Thread.currentThread().interrupt();
              Thread.sleep(60_000);
              return JsonNodeFactory.instance.objectNode();
            });
    CommandJournal journal = new CommandJournal(new StateDir(state));
    CommandDispatcher stopping =
        new CommandDispatcher(
            OperationRegistry.of(java.util.List.of(), waiting), journal, Clock.systemUTC());
    Command command = command("waiting", Map.of("vm", "app-01"));

    CommandResult result;
    boolean stillInterrupted;
    try {
      result = stopping.handle(command).orElseThrow();
    } finally {
      stillInterrupted = Thread.interrupted();
    }

    assertThat(stillInterrupted).as("the interrupt is handed back").isTrue();
    assertThat(result.status()).isEqualTo(ResultStatus.FAILED);
    assertThat(result.error().message()).isEqualTo("interrupted");
    JournalEntry entry = journal.find(command.id()).orElseThrow();
    assertThat(entry.finished()).isTrue();
    assertThat(json(entry.result())).isEqualTo(json(result));
  }

  @Test
  void aCommandCancelledBeforeItStartsNeverRunsAndReportsCancelled() throws Exception {
    Command command = command("counted", Map.of("vm", "app-01"));
    dispatcher.received(command.id());
    dispatcher.cancel(java.util.List.of(command.id()));

    CommandResult result = dispatcher.handle(command).orElseThrow();

    assertThat(result.status()).isEqualTo(ResultStatus.FAILED);
    assertThat(result.error().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(result.error().message()).contains("before it started");
    assertThat(runs).hasValue(0);
    assertThat(dispatcher.handle(command).orElseThrow())
        .as("answered from the journal when delivered again")
        .isEqualTo(result);
  }

  @Test
  void aCancelRequestAfterTheCommandFinishedChangesNothing() throws Exception {
    Command command = command("counted", Map.of("vm", "app-01"));
    dispatcher.received(command.id());
    CommandResult done = dispatcher.handle(command).orElseThrow();

    dispatcher.cancel(java.util.List.of(command.id(), "some-other-command"));

    assertThat(done.status()).isEqualTo(ResultStatus.SUCCEEDED);
    assertThat(dispatcher.handle(command).orElseThrow()).isEqualTo(done);
    assertThat(runs).hasValue(1);
  }

  @Test
  void aCancellableOperationIsCancelledWhileItWaitsAndReportsWhatItFound() throws Exception {
    java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
    Operation<String> waits =
        new Operation<>(
            "waits",
            Set.of("vm"),
            p -> p.requiredString("vm"),
            true,
            Duration.ofMinutes(1),
            (Operation.CancellableBody<String>)
                (vm, cancellation) -> {
                  waiting.countDown();
                  if (cancellation.await(Duration.ofMinutes(1))) {
                    throw new io.vmagent.agent.operation.OperationCancelled(
                        "stopped waiting", Map.of("state_after", "running"));
                  }
                  return JsonNodeFactory.instance.objectNode();
                });
    CommandDispatcher cancelling =
        new CommandDispatcher(
            OperationRegistry.of(java.util.List.of(), waits),
            new CommandJournal(new StateDir(state)),
            Clock.systemUTC());
    Command command = command("waits", Map.of("vm", "app-01"));
    cancelling.received(command.id());
    java.util.concurrent.CompletableFuture<CommandResult> running =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return cancelling.handle(command).orElseThrow();
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertThat(waiting.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    cancelling.cancel(java.util.List.of(command.id()));
    CommandResult result = running.get(30, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(result.status()).isEqualTo(ResultStatus.FAILED);
    assertThat(result.error().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(result.error().message()).isEqualTo("stopped waiting");
    assertThat(result.result().get("state_after").asText()).isEqualTo("running");
  }

  @Test
  void operationsRunThroughLibvirtAndReportTheirOutput() throws Exception {
    CommandResult paused =
        dispatcher.handle(command("pause", Map.of("vm", "app-01"))).orElseThrow();
    CommandResult list = dispatcher.handle(command("list", Map.of())).orElseThrow();

    assertThat(paused.status()).isEqualTo(ResultStatus.SUCCEEDED);
    assertThat(paused.result().get("state_after").toString()).contains("paused");
    assertThat(list.result().get("vms").toString())
        .contains("\"name\":\"app-01\"")
        .contains("paused");
  }

  @Test
  void failedOperationCarriesItsErrorCode() throws Exception {
    CommandResult result =
        dispatcher.handle(command("start", Map.of("vm", "no-such-vm"))).orElseThrow();

    assertThat(result.status()).isEqualTo(ResultStatus.FAILED);
    assertThat(result.error().code()).isEqualTo(ErrorCode.VM_NOT_FOUND);
  }

  private CommandDispatcher dispatcher() throws Exception {
    Operation<String> counted =
        new Operation<>(
            "counted",
            Set.of("vm"),
            p -> p.requiredString("vm"),
            true,
            Duration.ofMinutes(1),
            vm -> {
              runs.incrementAndGet();
              return JsonNodeFactory.instance.objectNode();
            });
    return new CommandDispatcher(
        OperationRegistry.of(operations.operations(), counted),
        new CommandJournal(new StateDir(state)),
        Clock.systemUTC());
  }

  private String vmState(String name) {
    return operations.info(name, false).vm().state().toString();
  }

  private static String json(CommandResult result) throws Exception {
    return ProtocolJson.tolerantMapper().writeValueAsString(result);
  }

  static String hostUri() throws Exception {
    return "test://" + Path.of(CommandDispatcherTest.class.getResource("/daemon/node.xml").toURI());
  }

  private static Command command(String operation, Map<String, String> params) {
    return new Command(
        UUID.randomUUID().toString(),
        operation,
        params,
        Instant.now().plusSeconds(300),
        Instant.now().plusSeconds(60),
        1,
        Instant.now());
  }
}
