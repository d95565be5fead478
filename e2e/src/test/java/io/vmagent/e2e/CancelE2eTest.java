package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.Agent;
import io.vmagent.agent.command.CommandJournal;
import io.vmagent.agent.command.JournalEntry;
import io.vmagent.agent.state.StateDir;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.client.BackendApiException;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancel requests (protocol 4) from the operator API to the agent (in this JVM) on the libvirt test
 * driver, over the real backend: a graceful stop waiting for a guest that never shuts down stops
 * waiting, a command waiting for the VM's lock never starts, each is reported once as {@code
 * CANCELLED}; a command that finished keeps its result. One backend and agent for the class.
 */
class CancelE2eTest {
  // Far beyond what the test waits: a stop still running when the test ends was not cancelled.
  private static final int STOP_TIMEOUT_SECONDS = 600;

  @TempDir static Path dir;
  static RunningBackend backend;
  static Agent agent;
  static String agentId;

  @BeforeAll
  static void start() throws Exception {
    // Leases outlast the graceful wait, so the cancel request reaches the agent holding it.
    backend =
        E2e.backend(
            dir.resolve("backend"),
            ClientAuth.OPTIONAL,
            0,
            b -> b.leaseDuration(Duration.ofMinutes(15)));
    Map<String, String> settings =
        E2e.agentSettings(
            backend,
            dir.resolve("agent"),
            backend.createBootstrapToken(false, null),
            E2e.libvirtHostWithStubbornVm(dir));
    agent = new Agent(E2e.config(settings));
    agent.start();
    agentId = E2e.awaitFreshHeartbeat(backend, E2e.awaitAgentId(dir));
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.shutdown();
    }
    E2e.close(backend);
  }

  @Test
  void aGracefulStopWaitingForItsGuestAndACommandWaitingForTheLockAreCancelledAndReportedOnce()
      throws Exception {
    String stop = E2e.leasedStopOfStubborn(backend, agentId, STOP_TIMEOUT_SECONDS);
    awaitStarted(stop);
    String pause = backend.queueCommand(agentId, "pause", Map.of("vm", E2e.STUBBORN)).id();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> backend.operator().command(pause, 0).state() == CommandState.LEASED);

    assertThat(backend.operator().cancelCommand(pause).cancelRequestedAt()).isNotNull();
    CommandView notStarted = backend.awaitCommand(pause, Duration.ofSeconds(60));
    assertThat(notStarted.state()).isEqualTo(CommandState.CANCELLED);
    assertThat(notStarted.result().error().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(notStarted.result().error().message()).contains("nothing was run");
    assertThat(backend.operator().command(stop, 0).state())
        .as("the stop it queued behind still waits for its guest")
        .isEqualTo(CommandState.LEASED);

    backend.operator().cancelCommand(stop);
    CommandView cancelled = backend.awaitCommand(stop, Duration.ofSeconds(60));
    assertThat(cancelled.state()).isEqualTo(CommandState.CANCELLED);
    assertThat(cancelled.deliveries()).isEqualTo(1);
    assertThat(cancelled.result().error().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(cancelled.result().error().message())
        .contains("waiting for the guest to shut down", "nothing was forced");
    assertThat(cancelled.result().result().get("state_before").asText()).isEqualTo("running");
    assertThat(cancelled.result().result().get("state_after").asText()).isEqualTo("running");
    assertThat(cancelled.result().result().get("changed").asBoolean()).isFalse();
    assertThat(cancelled.result().result().get("forced").asBoolean()).isFalse();

    CommandView info =
        backend.awaitCommand(
            backend.queueCommand(agentId, "info", Map.of("vm", E2e.STUBBORN)).id(),
            Duration.ofSeconds(60));
    assertThat(info.result().result().toString())
        .as("left as it was")
        .contains("\"state\":\"running\"");
    CommandJournal journal = new CommandJournal(StateDir.restricted(dir.resolve("agent/state")));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> journal.find(stop).map(JournalEntry::delivered).orElse(false));
    assertThat(journal.find(stop).map(JournalEntry::result))
        .as("journaled once, as delivered: a restart answers from the journal, never re-runs")
        .isEqualTo(Optional.of(cancelled.result()));
  }

  @Test
  void aCancelRequestForACommandThatFinishedKeepsItsResult() throws Exception {
    String pause = backend.queueCommand(agentId, "pause", Map.of("vm", "app-02")).id();
    CommandView done = backend.awaitCommand(pause, Duration.ofSeconds(60));
    assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);

    assertThatExceptionOfType(BackendApiException.class)
        .isThrownBy(() -> backend.operator().cancelCommand(pause))
        .withMessageContaining("409");
    assertThat(backend.operator().command(pause, 0)).isEqualTo(done);
    // The pause's lifecycle event reached this backend of protocol 4 with the agent's offset.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                backend
                    .operator()
                    .listEvents(Map.of("vm", "app-02", "type", "suspended"))
                    .events()
                    .stream()
                    .anyMatch(e -> e.clockOffsetMs() != null));
    backend.awaitCommand(
        backend.queueCommand(agentId, "resume", Map.of("vm", "app-02")).id(),
        Duration.ofSeconds(60));
  }

  /** Waits until the agent has journaled the command as started: it is running. */
  private static void awaitStarted(String commandId) throws Exception {
    CommandJournal journal = new CommandJournal(StateDir.restricted(dir.resolve("agent/state")));
    await().atMost(Duration.ofSeconds(60)).until(() -> journal.find(commandId).isPresent());
  }
}
