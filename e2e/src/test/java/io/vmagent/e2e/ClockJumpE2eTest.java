package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import io.vmagent.testing.AgentProcess;
import io.vmagent.testing.FakeTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent process whose wall clock is stepped an hour forward, then an hour back, while it
 * runs (libfaketime): heartbeats keep their cadence (no burst, no stall), each command runs once
 * and reports once, and the journal, the spool and the event stream stay intact. Skipped without
 * libfaketime.
 */
@Tag("long")
class ClockJumpE2eTest {
  /** Heartbeats every 5 s: four in a window, give or take one at each edge and a loaded machine. */
  private static final Duration WINDOW = Duration.ofSeconds(20);

  @TempDir Path dir;
  private RunningBackend backend;

  @AfterEach
  void stop() throws Exception {
    E2e.close(backend);
  }

  @Test
  void aClockSteppedAnHourForwardAndBackChangesNothing() throws Exception {
    assumeTrue(
        FakeTime.library().isPresent(), "libfaketime is not installed (bin/test installs it)");
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.REQUIRED, 0, b -> b);
    FakeTime clock = FakeTime.start(dir.resolve("faketime"), "+0");
    Map<String, String> settings = E2e.agentSettingsOn(clock, backend, dir);
    Path log = dir.resolve("agent.log");
    try (AgentProcess agent = AgentProcess.start(settings, log)) {
      String agentId = E2e.awaitFreshHeartbeat(backend, E2e.awaitAgentId(dir));
      List<CommandView> commands = new ArrayList<>();

      commands.add(run(agentId, "pause", "app-01"));
      long steady = heartbeatsWithin(agent);
      clock.set("+1h");
      long forward = heartbeatsWithin(agent);
      commands.add(run(agentId, "resume", "app-01"));
      clock.set("+0");
      long back = heartbeatsWithin(agent);
      commands.add(run(agentId, "pause", "app-02"));

      System.out.println(
          "FIGURE heartbeats in 20 s at 5 s: "
              + steady
              + " steady, "
              + forward
              + " after a step of +1 h, "
              + back
              + " after a step of -1 h");
      for (long count : List.of(steady, forward, back)) {
        assertThat(count).as("heartbeats within %s", WINDOW).isBetween(2L, 7L);
      }
      String output = agent.log();
      for (CommandView command : commands) {
        assertThat(command.state()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(command.deliveries()).as("deliveries of %s", command.id()).isEqualTo(1);
        assertThat(startedLines(output, command)).as("runs of %s", command.id()).isEqualTo(1);
        Path entry = dir.resolve("agent/state/journal/" + command.id() + ".json");
        assertThat(Files.readString(entry)).contains("\"result\"");
      }
      AgentStatus status =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> backend.operator().showAgent(agentId),
                  s -> s.spoolDepth() != null && s.spoolDepth() == 0);
      assertThat(status.connectivity()).isEqualTo(Connectivity.ONLINE);
      assertThat(output)
          .doesNotContainIgnoringCase("damaged")
          .doesNotContainIgnoringCase("corrupt");
      // Lifecycle events (one stored per sequence number): none of the three was lost.
      await().atMost(Duration.ofSeconds(30)).until(() -> events(agentId, "suspended") == 2);
      assertThat(events(agentId, "resumed")).isEqualTo(1);
    }
  }

  /** Queues {@code operation} on {@code vm} and waits for its outcome. */
  private CommandView run(String agentId, String operation, String vm) throws Exception {
    CommandView queued = backend.queueCommand(agentId, operation, Map.of("vm", vm));
    return backend.awaitCommand(queued.id(), Duration.ofSeconds(60));
  }

  /** Heartbeats the agent logs within {@link #WINDOW} from now. */
  private static long heartbeatsWithin(AgentProcess agent) throws Exception {
    long before = occurrences(agent.log(), "heartbeat sent as agent");
    Thread.sleep(WINDOW.toMillis());
    return occurrences(agent.log(), "heartbeat sent as agent") - before;
  }

  private static long startedLines(String output, CommandView command) {
    return output
        .lines()
        .filter(l -> l.contains("command " + command.id() + " (") && l.contains(") started"))
        .count();
  }

  private static long occurrences(String text, String needle) {
    long count = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      count++;
    }
    return count;
  }

  private long events(String agentId, String type) throws Exception {
    return count(
        "SELECT COUNT(*) FROM vm_events WHERE agent_id = ? AND event_type = '" + type + "'",
        agentId);
  }

  private long count(String sql, String agentId) throws Exception {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement q = c.prepareStatement(sql)) {
      q.setString(1, agentId);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
