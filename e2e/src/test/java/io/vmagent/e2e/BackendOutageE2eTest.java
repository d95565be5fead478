package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.Agent;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend goes away for a while and comes back on the same port and database: the agent backs
 * off, keeps the result, the lifecycle event and the metrics of the outage in its spool, and
 * replays them; the backend ends with all of them.
 */
class BackendOutageE2eTest {
  @TempDir Path dir;

  @Test
  void resultsEventsAndMetricsOfAnOutageReachTheBackendWhenItReturns() throws Exception {
    Path data = dir.resolve("backend");
    RunningBackend first = E2e.backend(data, ClientAuth.REQUIRED, 0, b -> b);
    int port = first.port();
    Map<String, String> settings =
        E2e.agentSettings(
            first,
            dir.resolve("agent"),
            first.createBootstrapToken(false, null),
            E2e.libvirtHost(dir));
    settings.put("AGENT_API_TIMEOUT", "5");
    Agent agent = new Agent(E2e.config(settings));
    RunningBackend second = null;
    try {
      agent.start();
      String agentId = E2e.agentId(dir.resolve("agent"));
      await().atMost(Duration.ofSeconds(30)).until(() -> online(first, agentId));

      // The backend stops the moment the command has run: its result, the VM's lifecycle event
      // and the next metrics samples all arise while it is away.
      CountDownLatch down = new CountDownLatch(1);
      AtomicReference<Instant> outageStart = new AtomicReference<>();
      agent.onCommandFinished(
          (operation, result) -> {
            if (operation.equals("pause") && down.getCount() > 0) {
              outageStart.set(Instant.now());
              try {
                E2e.close(first);
              } catch (Exception e) {
                throw new IllegalStateException("backend did not stop", e);
              }
              down.countDown();
            }
          });
      String commandId = first.queueCommand(agentId, "pause", Map.of("vm", "app-01")).id();
      assertThat(down.await(60, TimeUnit.SECONDS)).isTrue();

      Thread.sleep(12_000); // two metrics intervals and several failed heartbeats
      Path results = dir.resolve("agent/state/spool/results");
      assertThat(spooledBytes(results))
          .as("result kept on disk while the backend is away")
          .isPositive();
      Instant outageEnd = Instant.now();

      second = E2e.backend(data, ClientAuth.REQUIRED, port, b -> b);
      RunningBackend back = second;
      CommandView done = back.awaitCommand(commandId, Duration.ofSeconds(40));
      assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);
      assertThat(done.result().result().get("state_after").asText()).isEqualTo("paused");
      await()
          .atMost(Duration.ofSeconds(40))
          .untilAsserted(
              () -> {
                assertThat(
                        count(
                            back,
                            "SELECT COUNT(*) FROM vm_events WHERE agent_id = ? AND vm_name ="
                                + " 'app-01' AND event_type = 'suspended'",
                            agentId,
                            null,
                            null))
                    .isEqualTo(1);
                assertThat(
                        count(
                            back,
                            "SELECT COUNT(*) FROM metrics_samples WHERE agent_id = ?"
                                + " AND sample_time >= ? AND sample_time <= ?",
                            agentId,
                            outageStart.get(),
                            outageEnd))
                    .isGreaterThanOrEqualTo(2);
              });
      await().atMost(Duration.ofSeconds(20)).until(() -> online(back, agentId));
    } finally {
      agent.shutdown();
      E2e.close(second);
    }
  }

  private static boolean online(RunningBackend backend, String agentId) {
    try {
      return backend.operator().showAgent(agentId).connectivity() == Connectivity.ONLINE;
    } catch (Exception notYet) {
      return false;
    }
  }

  private static long spooledBytes(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".seg"))
          .mapToLong(p -> p.toFile().length())
          .sum();
    }
  }

  private static long count(
      RunningBackend backend, String sql, String agentId, Instant from, Instant to)
      throws Exception {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement q = c.prepareStatement(sql)) {
      q.setString(1, agentId);
      if (from != null) {
        q.setTimestamp(2, Timestamp.from(from));
        q.setTimestamp(3, Timestamp.from(to));
      }
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
