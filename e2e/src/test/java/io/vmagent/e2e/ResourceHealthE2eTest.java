package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmagent.agent.Agent;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory's file system (a 2 MiB tmpfs) fills up: the agent's heartbeat turns it
 * degraded with the reason, as the backend's view of the agent shows, and healthy again once the
 * space is back.
 */
class ResourceHealthE2eTest {
  @TempDir static Path dir;
  static RunningBackend backend;

  @BeforeAll
  static void start() throws Exception {
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.REQUIRED, 0, b -> b);
  }

  @AfterAll
  static void stop() throws Exception {
    E2e.close(backend);
  }

  @Test
  void aFullStateDirectoryMakesTheAgentDegradedWithTheReasonUntilSpaceIsBack() throws Exception {
    Path state = Files.createDirectories(dir.resolve("agent/state"));
    String failed = Tmpfs.mount(state, "size=2m,mode=0700");
    assumeTrue(failed == null, "cannot mount a tmpfs for the full-disk scenario: " + failed);
    try {
      fillAndFree(state);
    } finally {
      Tmpfs.unmount(state);
    }
  }

  private static void fillAndFree(Path state) throws Exception {
    Map<String, String> settings =
        E2e.agentSettings(
            backend,
            dir.resolve("agent"),
            backend.createBootstrapToken(false, null),
            "test:///default");
    // Only the disk is under test: memory depends on the machine running the tests (load is off
    // in every end-to-end test).
    settings.put("AGENT_HEALTH_MEMORY_AVAILABLE_PERCENT", "0");
    Agent agent = new Agent(E2e.config(settings));
    try {
      agent.start();
      String id = E2e.agentId(dir.resolve("agent"));
      await().atMost(Duration.ofSeconds(30)).until(() -> health(id) == HealthStatus.HEALTHY);

      Tmpfs.fill(state.resolve("filler"));
      await().atMost(Duration.ofSeconds(30)).until(() -> health(id) == HealthStatus.DEGRADED);
      AgentStatus full = backend.operator().showAgent(id);

      assertThat(full.reasons())
          .contains("disk_space_low: " + state + " has 0.0% free, 0 KiB of 2.0 MiB (threshold 5%)");

      Files.delete(state.resolve("filler"));
      await().atMost(Duration.ofSeconds(30)).until(() -> health(id) == HealthStatus.HEALTHY);
      assertThat(backend.operator().showAgent(id).reasons()).isEmpty();
    } finally {
      agent.shutdown();
    }
  }

  private static HealthStatus health(String id) {
    try {
      return backend.operator().showAgent(id).health();
    } catch (Exception notYet) {
      return null;
    }
  }
}
