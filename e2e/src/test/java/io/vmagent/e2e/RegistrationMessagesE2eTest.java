package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.testing.AgentProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the daemon says when it cannot register, against a real backend: nothing to register with, a
 * mistyped bootstrap token, and an agent an operator revoked are three different messages.
 */
class RegistrationMessagesE2eTest {
  @TempDir static Path dir;
  private static RunningBackend backend;

  @BeforeAll
  static void start() throws Exception {
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.OPTIONAL, 0, b -> b);
  }

  @AfterAll
  static void stop() throws Exception {
    E2e.close(backend);
  }

  private static Map<String, String> settings(String name, String token) throws Exception {
    return E2e.agentSettings(backend, dir.resolve(name), token, E2e.libvirtHost(dir));
  }

  @Test
  void anAgentWithNothingToRegisterWithSaysSoWhenItStarts() throws Exception {
    Map<String, String> settings = settings("no-token", "");
    settings.remove("AGENT_TOKEN");
    try (AgentProcess agent = AgentProcess.start(settings, dir.resolve("no-token.log"))) {
      await()
          .atMost(Duration.ofSeconds(45))
          .until(() -> agent.log().contains("AGENT_TOKEN is not set and no credentials are kept"));
      assertThat(agent.log()).containsPattern("WARN.*AGENT_TOKEN is not set and no credentials");
    }
  }

  @Test
  void registrationTellsARevokedAgentFromAMistypedToken() throws Exception {
    Map<String, String> mistyped = settings("mistyped-run", "vmb_mistyped-token");
    try (AgentProcess agent = AgentProcess.start(mistyped, dir.resolve("mistyped-run.log"))) {
      await()
          .atMost(Duration.ofSeconds(45))
          .until(() -> agent.log().contains("the bootstrap token was refused"));
      assertThat(agent.log())
          .contains("check AGENT_TOKEN for a typing error")
          .doesNotContain("revoked agent")
          .doesNotContain("vmb_mistyped-token");
    }

    Map<String, String> settings =
        settings("revoked-run", backend.createBootstrapToken(false, null));
    try (AgentProcess agent = AgentProcess.start(settings, dir.resolve("revoked-run.log"))) {
      DoctorE2eTest.awaitEnrolled(dir.resolve("revoked-run"));
      assertThat(agent.pid()).isPositive();
    }
    String agentId = E2e.agentId(dir.resolve("revoked-run"));
    backend.operator().revokeAgent(agentId, true);
    try (AgentProcess agent = AgentProcess.start(settings, dir.resolve("revoked-run-2.log"))) {
      await()
          .atMost(Duration.ofSeconds(45))
          .until(() -> agent.log().contains("an operator revoked agent " + agentId));
      assertThat(agent.log()).doesNotContain("check AGENT_TOKEN for a typing error");
    }
  }
}
