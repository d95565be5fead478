package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.Agent;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.service.RegistrationService;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RegisterRequest;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The takeover that worked against the earlier backend, replayed against a running agent: root on
 * another host, holding the fleet's bootstrap token, registers under the agent's id to lease its
 * commands and forge their results. Every step is now refused, the real agent keeps its identity
 * and runs its commands, and the attempt is logged with its source address.
 */
class IdentityTakeoverFaultTest {
  @TempDir Path dir;
  private RunningBackend backend;
  private Agent agent;

  @BeforeEach
  void sharedVmRunning() throws Exception {
    Libvirt.running();
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.shutdown();
    }
    Harness.stop(backend);
  }

  @Test
  void anotherHostWithTheFleetTokenCannotTakeOverARunningAgent() throws Exception {
    backend = Harness.backend(dir.resolve("backend"), 0, b -> b);
    String fleetToken = backend.createBootstrapToken(false, null);
    agent =
        new Agent(
            Harness.config(
                Harness.agentSettings(
                    backend.baseUrl(),
                    backend.caCertificatePath(),
                    dir.resolve("agent"),
                    "victim",
                    fleetToken,
                    Libvirt.HOST)));
    agent.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> backend.operator().listAgents().size() == 1);
    String victim = Harness.agentId(dir.resolve("agent"));
    String fingerprint = backend.operator().showAgent(victim).keyFingerprint();
    assertThat(fingerprint).isNotNull();

    Api attacker = new Api(backend.baseUrl(), backend.caCertificatePath());
    try (LogCapture log = new LogCapture(RegistrationService.class)) {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      String attackerKey =
          Base64.getEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded());
      RegisterRequest asVictim =
          new RegisterRequest(
                  victim,
                  "evil",
                  "evil-host",
                  "0.1.0",
                  "test:///default",
                  null,
                  List.of("pause"),
                  30)
              .withKey(ProtocolPaths.PROTOCOL_VERSION, attackerKey, null);
      for (RegisterRequest attempt :
          List.of(
              asVictim,
              new RegisterRequest(
                  victim,
                  "evil",
                  "evil-host",
                  "0.1.0",
                  "test:///default",
                  null,
                  List.of("pause"),
                  30))) {
        Api.Answer takeover = attacker.post(ProtocolPaths.REGISTER, fleetToken, attempt);
        assertThat(takeover.status()).isEqualTo(409);
        assertThat(takeover.json().get("code").asText()).isEqualTo("AGENT_ID_IN_USE");
        assertThat(takeover.body()).doesNotContain(fleetToken);
      }
      assertThat(log.lines())
          .filteredOn(
              l -> l.contains("refused a registration of agent " + victim + " from 127.0.0.1"))
          .hasSize(2);
    }

    // The attacker's own registration gives it nothing of the victim's.
    Api.Answer own =
        attacker.post(
            ProtocolPaths.REGISTER,
            fleetToken,
            new RegisterRequest(
                "evil-host",
                "evil",
                "evil-host",
                "0.1.0",
                "test:///default",
                null,
                List.of("pause"),
                30));
    String evilToken = own.json().get("access_token").asText();
    CommandView pause = backend.queueCommand(victim, "pause", Map.of("vm", "test"));
    assertThat(attacker.get(ProtocolPaths.commands(victim, 0), evilToken).status()).isEqualTo(403);
    Instant now = Instant.now();
    assertThat(
            attacker
                .post(
                    ProtocolPaths.results(victim),
                    evilToken,
                    CommandResult.succeeded(
                        pause.id(),
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
                        now,
                        now))
                .status())
        .isEqualTo(403);

    CommandView done = backend.awaitCommand(pause.id(), Duration.ofSeconds(30));
    assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);
    assertThat(done.result().result().get("state_after").asText()).isEqualTo("paused");
    assertThat(backend.operator().showAgent(victim).keyFingerprint()).isEqualTo(fingerprint);
    assertThat(backend.operator().showAgent(victim).name()).isEqualTo("victim");
  }
}
