package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.BootstrapTokenInfo;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.testing.AgentProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent process against a backend that requires client certificates: it enrolls itself,
 * renews its certificate while commands flow, recovers with its key alone after being away past the
 * certificate's end, and a host that lost its key is refused until an operator resets its id.
 */
class IdentityE2eTest {
  private static final Pattern STORED = Pattern.compile("client certificate .* stored in ");

  @TempDir Path dir;
  private RunningBackend backend;

  @AfterEach
  void stop() throws Exception {
    E2e.close(backend);
  }

  @Test
  void enrollsRenewsTwiceWhileCommandsFlowAndRecoversWithItsKeyAfterExpiry() throws Exception {
    backend =
        E2e.backend(
            dir.resolve("backend"),
            ClientAuth.REQUIRED,
            0,
            b -> b.agentCertificateLifetime(Duration.ofSeconds(15)));
    String token = backend.createBootstrapToken(false, null);
    Map<String, String> settings =
        E2e.agentSettings(backend, dir.resolve("agent"), token, E2e.libvirtHost(dir));
    Path log = dir.resolve("agent.log");
    List<String> commands = new ArrayList<>();
    String agentId;
    try (AgentProcess agent = AgentProcess.start(settings, log)) {
      agentId = awaitOnline();
      Path key = dir.resolve("agent/state/agent-key.pem");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
          .isEqualTo("rw-------");
      Instant until = Instant.now().plusSeconds(24);
      while (Instant.now().isBefore(until)) {
        commands.add(backend.queueCommand(agentId, "list", Map.of()).id());
        Thread.sleep(400);
      }
      for (String id : commands) {
        CommandView done = backend.awaitCommand(id, Duration.ofSeconds(30));
        assertThat(done.state()).as("command %s", id).isEqualTo(CommandState.SUCCEEDED);
      }
      String output = Files.readString(log);
      assertThat(count(STORED, output))
          .as("certificates stored: one at enrollment and at least two renewals")
          .isGreaterThanOrEqualTo(3);
      for (String id : commands) {
        assertThat(count(Pattern.compile("command " + id + " \\(list\\) started"), output))
            .as("command %s ran once", id)
            .isEqualTo(1);
      }
      assertThat(output).doesNotContain(token).doesNotContain("BEGIN PRIVATE KEY");
      System.out.println(
          "FIGURE certificate renewals in 24 s with a 15 s lifetime: "
              + (count(STORED, output) - 1)
              + ", commands: "
              + commands.size());
      assertThat(agent.terminate(Duration.ofSeconds(30))).isZero();
    }

    // Away past its certificate's end, with no bootstrap token left anywhere: its key suffices.
    Thread.sleep(16_000);
    for (BootstrapTokenInfo t : backend.operator().listBootstrapTokens()) {
      backend.operator().revokeBootstrapToken(t.id());
    }
    settings.remove("AGENT_TOKEN");
    Path secondLog = dir.resolve("agent-2.log");
    try (AgentProcess agent = AgentProcess.start(settings, secondLog)) {
      awaitOnline();
      String id = backend.queueCommand(agentId, "list", Map.of()).id();
      assertThat(backend.awaitCommand(id, Duration.ofSeconds(30)).state())
          .isEqualTo(CommandState.SUCCEEDED);
      assertThat(Files.readString(secondLog)).contains("expired").containsPattern(STORED.pattern());
      agent.kill();
    }
  }

  @Test
  void aHostThatLostItsKeyIsRefusedUntilTheOperatorResetsItsId() throws Exception {
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.REQUIRED, 0, b -> b);
    String token = backend.createBootstrapToken(false, null);
    Map<String, String> settings =
        E2e.agentSettings(backend, dir.resolve("agent"), token, E2e.libvirtHost(dir));
    settings.put("AGENT_ID", "rack4-host7");
    try (AgentProcess agent = AgentProcess.start(settings, dir.resolve("agent.log"))) {
      awaitOnline("rack4-host7");
      agent.kill();
    }
    AgentStatus before = backend.operator().showAgent("rack4-host7");

    // Reinstalled: same AGENT_ID and token, but the state directory (and its key) is gone.
    deleteTree(dir.resolve("agent/state"));
    Path log = dir.resolve("agent-reinstalled.log");
    try (AgentProcess agent = AgentProcess.start(settings, log)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.readString(log).contains("vm-backend agents reset rack4-host7"));
      AgentStatus refused = backend.operator().showAgent("rack4-host7");
      assertThat(refused.keyFingerprint()).isEqualTo(before.keyFingerprint());
      assertThat(refused.lastHeartbeatAt()).isEqualTo(before.lastHeartbeatAt());

      backend.operator().resetAgent("rack4-host7");
      await()
          .atMost(Duration.ofSeconds(45))
          .until(() -> backend.operator().showAgent("rack4-host7").keyFingerprint() != null);
      awaitOnline("rack4-host7");
      AgentStatus after = backend.operator().showAgent("rack4-host7");
      assertThat(after.keyFingerprint()).isNotNull().isNotEqualTo(before.keyFingerprint());
      assertThat(after.registeredAt()).isEqualTo(before.registeredAt());
      agent.kill();
    }
  }

  private String awaitOnline() throws Exception {
    Path idFile = dir.resolve("agent/state/agent-id");
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(idFile));
    return awaitOnline(E2e.agentId(dir.resolve("agent")));
  }

  private String awaitOnline(String agentId) throws Exception {
    return E2e.awaitFreshHeartbeat(backend, agentId);
  }

  private static int count(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
