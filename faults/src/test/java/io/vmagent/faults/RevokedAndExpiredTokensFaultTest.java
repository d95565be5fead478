package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.Agent;
import io.vmagent.agent.backend.CredentialsStore;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.client.BackendApiException;
import io.vmagent.protocol.Connectivity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expired and revoked credentials: an agent whose kept refresh token expired while it was down
 * registers again under the same id; an agent the operator revoked is shut out (nothing it sends is
 * stored, it cannot register again, no command can be queued for it) and, without crashing, keeps
 * knocking only at its backoff pace. Access-token expiry during operation is covered by e2e's
 * AgentThroughBackendE2eTest.outlivesItsAccessTokensByRefreshingThemWithoutRegisteringAgain.
 */
@Tag("faults-long")
class RevokedAndExpiredTokensFaultTest {
  @TempDir Path dir;
  RunningBackend backend;
  Agent agent;
  TcpTap tap;

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.shutdown();
    }
    if (tap != null) {
      tap.close();
    }
    Harness.stop(backend);
  }

  @Test
  void expiredRefreshTokenMeansRegisteringAgainAndRevokedAgentIsShutOut() throws Exception {
    backend =
        Harness.backend(
            dir.resolve("backend"),
            0,
            b -> b.accessTokenTtl(Duration.ofSeconds(10)).refreshTokenTtl(Duration.ofSeconds(12)));
    tap = new TcpTap("revoked", backend.port());
    Map<String, String> settings =
        Harness.agentSettings(
            Harness.localUrl(tap.port()),
            backend.caCertificatePath(),
            dir.resolve("agent"),
            "tokens",
            backend.createBootstrapToken(false, null),
            Libvirt.HOST);
    agent = new Agent(Harness.config(settings));
    agent.start();
    String id = Harness.agentId(dir.resolve("agent"));
    await().atMost(Duration.ofSeconds(60)).until(() -> online(id));
    CredentialsStore store = new CredentialsStore(dir.resolve("agent/state"));
    String firstRefresh = store.load().orElseThrow().refreshToken();

    // Down for longer than the refresh token lives: on return it registers again, same id.
    agent.shutdown();
    Thread.sleep(13_000);
    assertThat(store.load().orElseThrow().refreshTokenExpiresAt()).isBefore(Instant.now());
    agent = new Agent(Harness.config(settings));
    agent.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> online(id) && !store.load().orElseThrow().refreshToken().equals(firstRefresh));
    assertThat(backend.operator().listAgents()).hasSize(1);
    assertThat(
            backend
                .awaitCommand(
                    backend.queueCommand(id, "list", Map.of()).id(), Duration.ofSeconds(30))
                .state()
                .name())
        .isEqualTo("SUCCEEDED");

    // Revoked: shut out, and it knocks at its backoff pace rather than in a tight loop.
    backend.operator().revokeAgent(id);
    long metricsAtRevoke = count(id, "metrics_samples");
    long eventsAtRevoke = count(id, "vm_events");
    Thread.sleep(2_000); // requests already in flight finish
    long connectionsBefore = tap.attempts().size();
    long registrations;
    String refusal;
    try (LogCapture session =
            new LogCapture(
                io.vmagent.agent.backend.Session.class, ch.qos.logback.classic.Level.DEBUG);
        LogCapture loops = new LogCapture(io.vmagent.agent.loop.PeriodicLoop.class)) {
      Libvirt.toggle(1);
      Thread.sleep(20_000);
      registrations = session.count("registering");
      refusal =
          loops.lines().stream()
              .filter(l -> l.contains("heartbeat failed"))
              .findFirst()
              .orElse("(none)");
    }
    long connections = tap.attempts().size() - connectionsBefore;
    assertThat(count(id, "metrics_samples"))
        .as("metrics stored after the revocation")
        .isLessThanOrEqualTo(metricsAtRevoke + 1);
    assertThat(count(id, "vm_events"))
        .as("events stored after the revocation")
        .isEqualTo(eventsAtRevoke);
    assertThatThrownBy(
            () ->
                backend
                    .operator()
                    .queueCommand(
                        new io.vmagent.protocol.QueueCommandRequest(id, "list", Map.of(), null)))
        .isInstanceOf(BackendApiException.class);
    Figures.record(
        "expired and revoked tokens",
        "refresh token expired while the agent was down (12 s lifetime, 13 s down): it registered"
            + " again as the same agent (1 agent row); after revocation: 0 events and at most 1"
            + " metrics sample stored, queueing refused; in 20 s it opened "
            + connections
            + " connections and tried to register "
            + registrations
            + " times (no tight loop);"
            + " log: \""
            + refusal
            + "\"");
    assertThat(registrations)
        .as("registration attempts in 20 s by the revoked agent")
        .isLessThan(30);
    assertThat(connections).as("connections opened in 20 s by the revoked agent").isLessThan(60);
  }

  private long count(String id, String table) throws Exception {
    return DbFingerprint.count(
        backend.dataSource(), "SELECT COUNT(*) FROM " + table + " WHERE agent_id = '" + id + "'");
  }

  private boolean online(String id) {
    try {
      return backend.operator().showAgent(id).connectivity() == Connectivity.ONLINE;
    } catch (Exception notYet) {
      return false;
    }
  }
}
