package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.Agent;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.Connectivity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Answers delayed past the agent's timeout on every other call do not hold up its heartbeats. */
class SlowBackendE2eTest {
  @TempDir Path dir;

  @Test
  void slowCommandMetricsAndEventCallsDoNotStallHeartbeats() throws Exception {
    RunningBackend backend = E2e.backend(dir.resolve("backend"), ClientAuth.OFF, 0, b -> b);
    Agent agent = null;
    try (ProxiedBackend proxied = new ProxiedBackend(backend, dir)) {
      Map<String, String> settings =
          proxied.route(
              E2e.agentSettings(
                  backend,
                  dir.resolve("agent"),
                  backend.createBootstrapToken(false, null),
                  E2e.libvirtHost(dir)));
      settings.put("AGENT_API_TIMEOUT", "3");
      agent = new Agent(E2e.config(settings));
      agent.start();
      String agentId = E2e.agentId(dir.resolve("agent"));
      await().atMost(Duration.ofSeconds(30)).until(() -> E2e.heartbeatSeen(backend, agentId));

      proxied.proxy.delay("/(commands|metrics|events|results|updates)", Duration.ofSeconds(20));
      Instant first = lastHeartbeat(backend, agentId);
      await()
          .atMost(Duration.ofSeconds(25))
          .until(() -> lastHeartbeat(backend, agentId).isAfter(first.plusSeconds(8)));

      assertThat(backend.operator().showAgent(agentId).connectivity())
          .isEqualTo(Connectivity.ONLINE);
    } finally {
      if (agent != null) {
        agent.shutdown();
      }
      E2e.close(backend);
    }
  }

  private static Instant lastHeartbeat(RunningBackend backend, String agentId) throws Exception {
    return backend.operator().showAgent(agentId).lastHeartbeatAt();
  }
}
