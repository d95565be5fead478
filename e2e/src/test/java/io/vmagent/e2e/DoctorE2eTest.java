package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.BootstrapTokenCreated;
import io.vmagent.protocol.BootstrapTokenInfo;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import io.vmagent.testing.AgentProcess;
import io.vmagent.testing.TestPki;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vm-agent doctor} as an operator runs it, against a real backend over real TLS and
 * libvirt's test driver: every check passes for a good set-up, and each broken part fails its own
 * check with a hint while the checks that need it are skipped.
 */
class DoctorE2eTest {
  private static final List<String> CHECKS =
      List.of(
          "configuration",
          "host name",
          "tcp connect",
          "tls handshake",
          "credentials",
          "clock",
          "libvirt",
          "state directory");

  @TempDir static Path dir;
  private static RunningBackend backend;

  @BeforeAll
  static void start() throws Exception {
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.REQUIRED, 0, b -> b);
  }

  @AfterAll
  static void stop() throws Exception {
    E2e.close(backend);
  }

  private static Map<String, String> settings(String name, String token) throws Exception {
    return E2e.agentSettings(backend, dir.resolve(name), token, E2e.libvirtHost(dir));
  }

  private static AgentProcess.Completed doctor(Map<String, String> settings, String... options)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("doctor"));
    args.addAll(List.of(options));
    return AgentProcess.run(AgentProcess.fromClassPath(), settings, args.toArray(new String[0]));
  }

  @Test
  void everyCheckPassesAndTheCheckedTokenStillRegisters() throws Exception {
    BootstrapTokenCreated created =
        backend
            .operator()
            .createBootstrapToken(new CreateBootstrapTokenRequest("doctor", true, 3600L));
    String token = created.token();
    Map<String, String> settings = settings("good", token);

    AgentProcess.Completed checked = doctor(settings);

    assertThat(checked.exit()).as(checked.output()).isZero();
    for (String check : CHECKS) {
      assertThat(checked.output()).containsPattern("(?m)^PASS\\s+" + check + "\\s");
    }
    assertThat(checked.output())
        .contains("the backend accepts AGENT_TOKEN for a registration (single use)")
        .contains("trusted through")
        .contains("from AGENT_SSL_CA_PATH " + backend.caCertificatePath())
        .contains("no check failed")
        .doesNotContain(token);
    BootstrapTokenInfo info =
        backend.operator().listBootstrapTokens().stream()
            .filter(t -> t.id().equals(created.id()))
            .findFirst()
            .orElseThrow();
    assertThat(info.usedAt()).as("the single-use token is not used by the check").isNull();

    // The daemon registers with the token the doctor checked.
    try (AgentProcess agent = AgentProcess.start(settings, dir.resolve("good.log"))) {
      awaitEnrolled(dir.resolve("good"));
      assertThat(agent.log()).doesNotContain("refused to register");
    }
    AgentProcess.Completed again = doctor(settings, "--json");
    assertThat(again.exit()).as(again.output()).isZero();
    JsonNode json = new ObjectMapper().readTree(again.output());
    assertThat(json.isArray()).isTrue();
    assertThat(json).hasSize(CHECKS.size());
    assertThat(json.get(4).get("check").asText()).isEqualTo("credentials");
    assertThat(json.get(4).get("status").asText()).isEqualTo("PASS");
    assertThat(json.get(4).get("detail").asText()).contains("accepted the kept credentials");
    assertThat(json.get(3).get("detail").asText())
        .contains("client certificate presented: CN=")
        .contains("(issued at enrollment)");
  }

  /** Waits until the agent kept its credentials and the certificate issued for its key. */
  private static void awaitEnrolled(Path agentDir) {
    await()
        .atMost(Duration.ofSeconds(45))
        .until(
            () ->
                Files.exists(agentDir.resolve("state/credentials.json"))
                    && Files.exists(agentDir.resolve("state/agent-cert.pem")));
  }

  @Test
  void aCaThatDidNotIssueTheBackendsCertificateFailsTheHandshakeWithAHint() throws Exception {
    Path otherCa = dir.resolve("other-ca.pem");
    TestPki.writeCertificates(otherCa, TestPki.create("other-ca").ca);
    Map<String, String> settings = settings("wrong-ca", "vmb_unused");
    settings.put("AGENT_SSL_CA_PATH", otherCa.toString());

    AgentProcess.Completed checked = doctor(settings);

    assertThat(checked.exit()).as(checked.output()).isEqualTo(69);
    assertThat(checked.output())
        .containsPattern("(?m)^PASS\\s+tcp connect")
        .containsPattern("(?m)^FAIL\\s+tls handshake .*certificate is not trusted")
        .contains("hint: AGENT_SSL_CA_PATH (" + otherCa + ") must hold the CA")
        .containsPattern("(?m)^SKIP\\s+credentials\\s+the TLS handshake failed")
        .containsPattern("(?m)^SKIP\\s+clock\\s+the TLS handshake failed")
        .containsPattern("(?m)^PASS\\s+libvirt");
  }

  @Test
  void aClosedPortFailsTheTcpCheckNamingTheAddress() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    Map<String, String> settings = settings("closed-port", "vmb_unused");
    settings.put("AGENT_BACKEND_URL", "https://127.0.0.1:" + closed);

    AgentProcess.Completed checked = doctor(settings);

    assertThat(checked.exit()).as(checked.output()).isEqualTo(69);
    assertThat(checked.output())
        .containsPattern("(?m)^PASS\\s+host name")
        .containsPattern(
            "(?m)^FAIL\\s+tcp connect\\s+connection refused by 127.0.0.1:" + closed + "$")
        .contains("hint: is the backend running and listening on port " + closed)
        .containsPattern("(?m)^SKIP\\s+tls handshake\\s+no TCP connection to the backend");
  }

  @Test
  void anUnknownHostNameFailsTheResolveCheck() throws Exception {
    Map<String, String> settings = settings("unknown-host", "vmb_unused");
    settings.put("AGENT_BACKEND_URL", "https://no-such-host.invalid:" + backend.port());

    AgentProcess.Completed checked = doctor(settings);

    assertThat(checked.exit()).as(checked.output()).isEqualTo(69);
    assertThat(checked.output())
        .containsPattern("(?m)^FAIL\\s+host name\\s+host name not found: no-such-host.invalid$")
        .containsPattern("(?m)^SKIP\\s+tcp connect\\s+the backend's host name does not resolve");
  }

  @Test
  void aMistypedOrRevokedTokenFailsTheCredentialsCheck() throws Exception {
    AgentProcess.Completed mistyped = doctor(settings("mistyped", "vmb_mistyped-token"));

    assertThat(mistyped.exit()).as(mistyped.output()).isEqualTo(69);
    assertThat(mistyped.output())
        .containsPattern("(?m)^FAIL\\s+credentials\\s+the backend refused AGENT_TOKEN: .*unknown")
        .contains("hint: check AGENT_TOKEN for a typing error")
        .containsPattern("(?m)^PASS\\s+clock")
        .doesNotContain("vmb_mistyped-token");

    BootstrapTokenCreated revoked =
        backend
            .operator()
            .createBootstrapToken(new CreateBootstrapTokenRequest("doctor", false, null));
    backend.operator().revokeBootstrapToken(revoked.id());
    AgentProcess.Completed refused = doctor(settings("revoked", revoked.token()));
    assertThat(refused.output())
        .containsPattern("(?m)^FAIL\\s+credentials\\s+the backend refused AGENT_TOKEN: .*revoked");
  }

  @Test
  void anInvalidConfigurationExits78AndSkipsTheRest() throws Exception {
    Map<String, String> settings = settings("invalid", "vmb_unused");
    settings.put("AGENT_HEARTBEAT_INTERVAL", "-1");

    AgentProcess.Completed checked = doctor(settings);

    assertThat(checked.exit()).as(checked.output()).isEqualTo(78);
    assertThat(checked.output())
        .containsPattern("(?m)^FAIL\\s+configuration\\s+.*AGENT_HEARTBEAT_INTERVAL")
        .containsPattern("(?m)^SKIP\\s+state directory\\s+the configuration is invalid");
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
      awaitEnrolled(dir.resolve("revoked-run"));
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
