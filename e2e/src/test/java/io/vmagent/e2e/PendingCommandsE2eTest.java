package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.CommandState;
import io.vmagent.testing.AgentProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After failed polls the command loop waits out a backoff of up to 30 s; a heartbeat whose answer
 * reports pending commands ends that wait, so commands flow within one heartbeat of the backend's
 * return.
 */
class PendingCommandsE2eTest {
  @TempDir Path dir;

  @Test
  void aHeartbeatReportingPendingCommandsEndsThePollBackoff() throws Exception {
    RunningBackend backend = E2e.backend(dir.resolve("backend"), ClientAuth.OFF, 0, b -> b);
    try (ProxiedBackend proxied = new ProxiedBackend(backend, dir)) {
      Map<String, String> settings = proxied.route(E2e.agentSettings(backend, dir));
      // Polls fail from the start (registration and heartbeats pass) until a heartbeat's answer
      // reports the command queued below: no poll can take it before a heartbeat has told.
      proxied.proxy.refuseUntilCommandsPending("/commands\\?");
      try (AgentProcess agent = AgentProcess.start(settings, dir.resolve("agent.log"))) {
        Path idFile = dir.resolve("agent/state/agent-id");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(idFile));
        String agentId = E2e.awaitFreshHeartbeat(backend, E2e.agentId(dir.resolve("agent")));
        // Four failed polls: the loop now waits up to 8 s between polls (up to 30 s later on).
        await().atMost(Duration.ofSeconds(60)).until(() -> proxied.proxy.refused() >= 4);

        String id = backend.queueCommand(agentId, "list", Map.of()).id();

        assertThat(backend.awaitCommand(id, Duration.ofSeconds(60)).state())
            .isEqualTo(CommandState.SUCCEEDED);
        String log = agent.log();
        int reported = log.indexOf("(1 commands pending)");
        int woken = log.indexOf("command polling resumes at once");
        int received = log.indexOf("command " + id + " received");
        assertThat(reported).as(log).isNotNegative();
        assertThat(woken).as("the poll is sent because of the heartbeat").isGreaterThan(reported);
        assertThat(received).as(log).isGreaterThan(woken);
      }
    } finally {
      E2e.close(backend);
    }
  }
}
