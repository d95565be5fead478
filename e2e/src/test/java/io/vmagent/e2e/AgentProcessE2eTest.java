package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.testing.AgentProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as its own process: killed with SIGKILL mid-delivery, and stopped with SIGTERM. */
class AgentProcessE2eTest {
  @TempDir Path dir;
  private RunningBackend backend;
  private ProxiedBackend proxied;

  @AfterEach
  void stop() throws Exception {
    if (proxied != null) {
      proxied.close();
    }
    E2e.close(backend);
  }

  @Test
  void killedBeforeItsResultArrivedTheCommandIsNeitherRunAgainNorLost() throws Exception {
    // The fault proxy terminates TLS, so no client certificate reaches the backend through it.
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.OFF, 0, b -> b);
    proxied = new ProxiedBackend(backend, dir);
    Map<String, String> settings =
        proxied.route(
            E2e.agentSettings(
                backend,
                dir.resolve("agent"),
                backend.createBootstrapToken(false, null),
                E2e.libvirtHost(dir)));
    settings.put("AGENT_API_TIMEOUT", "30");
    Path log = dir.resolve("agent.log");
    String commandId;
    try (AgentProcess first = AgentProcess.start(settings, log)) {
      String agentId = awaitOnline(dir);
      // The result is held at the proxy: the command runs and is journaled, its report hangs.
      proxied.proxy.delay("/results$", Duration.ofSeconds(60));
      commandId = backend.queueCommand(agentId, "delete", Map.of("vm", "app-02")).id();
      Path entry = dir.resolve("agent/state/journal/" + commandId + ".json");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Files.exists(entry) && Files.readString(entry).contains("\"result\""));
      first.kill();
    }
    String firstLog = Files.readString(log);
    assertThat(firstLog).contains("command " + commandId + " (delete app-02) started");
    proxied.proxy.clear();
    Path secondLog = dir.resolve("agent-2.log");
    try (AgentProcess second = AgentProcess.start(settings, secondLog)) {
      CommandView done = backend.awaitCommand(commandId, Duration.ofSeconds(30));

      assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);
      assertThat(done.result().result().get("state_before").asText()).isEqualTo("running");
      assertThat(Files.readString(secondLog)).doesNotContain("(delete app-02) started");
      assertThat(undefinedEvents(E2e.agentId(dir.resolve("agent")), "app-02"))
          .isLessThanOrEqualTo(1);
      second.kill();
    }
  }

  @Test
  void sigtermStopsGracefullySaysGoodbyeAndExitsZero() throws Exception {
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.REQUIRED, 0, b -> b);
    Map<String, String> settings =
        E2e.agentSettings(
            backend,
            dir.resolve("agent"),
            backend.createBootstrapToken(false, null),
            E2e.libvirtHost(dir));
    Path log = dir.resolve("agent.log");
    try (AgentProcess agent = AgentProcess.start(settings, log)) {
      long started = System.nanoTime();
      String agentId = awaitOnline(dir);
      System.out.println(
          "FIGURE process start to registered and online: "
              + (System.nanoTime() - started) / 1_000_000
              + " ms");
      CommandView pause = backend.queueCommand(agentId, "pause", Map.of("vm", "app-01"));
      assertThat(backend.awaitCommand(pause.id(), Duration.ofSeconds(20)).state())
          .isEqualTo(CommandState.SUCCEEDED);

      long stopping = System.nanoTime();
      int exit = agent.terminate(Duration.ofSeconds(30));
      System.out.println(
          "FIGURE SIGTERM to exit: " + (System.nanoTime() - stopping) / 1_000_000 + " ms");

      assertThat(exit).isZero();
      String output = Files.readString(log);
      assertThat(output)
          .contains("shutting down: no new commands")
          .contains("last heartbeat sent: going offline")
          .contains("vm-agent stopped");
      assertThat(output.indexOf("shutting down")).isLessThan(output.indexOf("last heartbeat sent"));
      AgentStatus status = backend.operator().showAgent(agentId);
      assertThat(status.reasons()).anyMatch(r -> r.contains("going offline"));
      assertThat(status.health()).isEqualTo(HealthStatus.STOPPING);
      assertThat(status.connectivity()).isEqualTo(Connectivity.OFFLINE);
    }
  }

  private String awaitOnline(Path root) throws Exception {
    Path idFile = root.resolve("agent/state/agent-id");
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(idFile));
    String agentId = E2e.agentId(root.resolve("agent"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try {
                return backend.operator().showAgent(agentId).connectivity() == Connectivity.ONLINE;
              } catch (Exception notYet) {
                return false;
              }
            });
    return agentId;
  }

  private long undefinedEvents(String agentId, String vm) throws Exception {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement q =
            c.prepareStatement(
                "SELECT COUNT(*) FROM vm_events WHERE agent_id = ? AND vm_name = ? AND event_type ="
                    + " 'undefined'")) {
      q.setString(1, agentId);
      q.setString(2, vm);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
