package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmagent.agent.Agent;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.HealthStatus;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory's file system (a 2 MiB tmpfs) fills up: the agent's heartbeat turns it
 * degraded with the reason, as the backend's view of the agent shows, and healthy again once the
 * space is back.
 */
class ResourceHealthE2eTest {
  @TempDir Path dir;
  RunningBackend backend;
  Agent agent;
  Path mount;

  @AfterEach
  void stop() throws Exception {
    try {
      if (agent != null) {
        agent.shutdown();
      }
      E2e.close(backend);
    } finally {
      if (mount != null && run("umount", mount.toString()) != null) {
        run("umount", "-l", mount.toString());
      }
    }
  }

  @Test
  void aFullStateDirectoryMakesTheAgentDegradedWithTheReasonUntilSpaceIsBack() throws Exception {
    Path state = Files.createDirectories(dir.resolve("agent/state"));
    String failed =
        run("mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", state.toString());
    assumeTrue(failed == null, "cannot mount a tmpfs for the full-disk scenario: " + failed);
    mount = state;
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.REQUIRED, 0, b -> b);
    Map<String, String> settings =
        E2e.agentSettings(
            backend,
            dir.resolve("agent"),
            backend.createBootstrapToken(false, null),
            "test:///default");
    // Only the disk is under test: memory and load depend on the machine running the tests.
    settings.put("AGENT_HEALTH_MEMORY_AVAILABLE_PERCENT", "0");
    settings.put("AGENT_HEALTH_LOAD_PER_CORE", "0");
    agent = new Agent(E2e.config(settings));
    agent.start();
    String id = E2e.agentId(dir.resolve("agent"));
    await().atMost(Duration.ofSeconds(30)).until(() -> health(id) == HealthStatus.HEALTHY);

    fill(state.resolve("filler"));
    await().atMost(Duration.ofSeconds(30)).until(() -> health(id) == HealthStatus.DEGRADED);
    AgentStatus full = backend.operator().showAgent(id);

    assertThat(full.reasons())
        .contains("disk_space_low: " + state + " has 0.0% free, 0 KiB of 2.0 MiB (threshold 5%)");

    Files.delete(state.resolve("filler"));
    await().atMost(Duration.ofSeconds(30)).until(() -> health(id) == HealthStatus.HEALTHY);
    assertThat(backend.operator().showAgent(id).reasons()).isEmpty();
  }

  private HealthStatus health(String id) {
    try {
      return backend.operator().showAgent(id).health();
    } catch (Exception notYet) {
      return null;
    }
  }

  private static void fill(Path file) {
    byte[] chunk = new byte[16 * 1024];
    try (FileOutputStream out = new FileOutputStream(file.toFile())) {
      while (true) {
        out.write(chunk);
      }
    } catch (IOException full) {
      // the file system is full: what the test wants
    }
  }

  /** Runs a command; null when it succeeded, else its output. */
  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return "timed out";
    }
    return process.exitValue() == 0 ? null : output.strip();
  }
}
