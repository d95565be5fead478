package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.Connectivity;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.testing.AgentProcess;
import io.vmagent.testing.FakeTime;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent process with its wall clock 25 minutes behind, then 25 minutes ahead of the
 * backend's (libfaketime), against the real backend requiring client certificates: it connects,
 * refreshes its tokens at the normal cadence (counted at the backend), reports its offset and turns
 * degraded with the reason, and recovers once its clock is right. Skipped without libfaketime.
 */
@Tag("long")
class ClockSkewE2eTest {
  /** Access tokens live 15 s: the normal cadence is one refresh every 12 s. */
  private static final Duration ACCESS_TOKEN_TTL = Duration.ofSeconds(15);

  private static final Duration WINDOW = Duration.ofSeconds(30);

  @TempDir Path dir;
  private RunningBackend backend;

  @AfterEach
  void stop() throws Exception {
    E2e.close(backend);
  }

  @Test
  void anAgentWhoseClockIsFarOffRefreshesAtTheNormalCadenceAndSaysItIsDegraded() throws Exception {
    assumeTrue(
        FakeTime.library().isPresent(), "libfaketime is not installed (bin/test installs it)");
    backend =
        E2e.backend(
            dir.resolve("backend"),
            ClientAuth.REQUIRED,
            0,
            b -> b.accessTokenTtl(ACCESS_TOKEN_TTL));
    FakeTime clock = FakeTime.start(dir.resolve("faketime"), "-25m");
    Map<String, String> settings = E2e.agentSettingsOn(clock, backend, dir);
    Path log = dir.resolve("agent.log");
    try (AgentProcess agent = AgentProcess.start(settings, log)) {
      String agentId = E2e.awaitAgentId(dir);
      try {
        skewedThenRight(agent, clock, agentId);
      } catch (AssertionError | RuntimeException e) {
        System.out.println("agent log:\n" + agent.log());
        throw e;
      }
    }
  }

  private void skewedThenRight(AgentProcess agent, FakeTime clock, String agentId)
      throws Exception {
    long behind = refreshesWhileSkewed(agentId, -25 * 60);
    clock.set("+25m");
    long ahead = refreshesWhileSkewed(agentId, 25 * 60);

    clock.set("+0");
    AgentStatus fixed =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> backend.operator().showAgent(agentId),
                s ->
                    s.clockOffsetMs() != null
                        && Math.abs(s.clockOffsetMs()) < 5_000
                        && s.health() == HealthStatus.HEALTHY);
    assertThat(fixed.reasons()).noneMatch(r -> r.contains("clock offset"));
    assertThat(fixed.connectivity()).isEqualTo(Connectivity.ONLINE);

    // At most one refresh per 12 s of a window, and one for the window's edges.
    long most = WINDOW.toSeconds() / 12 + 1;
    assertThat(behind).as("refreshes in %s, 25 minutes behind", WINDOW).isBetween(1L, most);
    assertThat(ahead).as("refreshes in %s, 25 minutes ahead", WINDOW).isBetween(1L, most);
    assertThat(agent.log())
        .as("no request went out with a token the backend had already let expire")
        .doesNotContain("the backend refused the access token");
    System.out.println(
        "FIGURE refreshes in 30 s with 15 s access tokens: "
            + behind
            + " with the clock 25 min behind, "
            + ahead
            + " 25 min ahead");
  }

  /**
   * Waits until the agent reports this offset and is degraded for it, then counts the refreshes the
   * backend sees within {@link #WINDOW}.
   */
  private long refreshesWhileSkewed(String agentId, long offsetSeconds) throws Exception {
    AgentStatus skewed =
        await()
            .atMost(Duration.ofSeconds(90))
            .ignoreExceptions()
            .until(
                () -> backend.operator().showAgent(agentId),
                s ->
                    s.clockOffsetMs() != null
                        && Math.abs(s.clockOffsetMs() - offsetSeconds * 1000) < 10_000
                        && s.health() == HealthStatus.DEGRADED);
    assertThat(skewed.reasons())
        .anyMatch(r -> r.startsWith("clock offset") && r.contains("AGENT_CLOCK_OFFSET_MAX"));
    assertThat(skewed.connectivity()).isEqualTo(Connectivity.ONLINE);
    long before = refreshTokens(agentId);
    Thread.sleep(WINDOW.toMillis());
    return refreshTokens(agentId) - before;
  }

  /** Refresh tokens the backend issued to the agent: one at registration, one per refresh. */
  private long refreshTokens(String agentId) throws Exception {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement q =
            c.prepareStatement("SELECT COUNT(*) FROM refresh_tokens WHERE agent_id = ?")) {
      q.setString(1, agentId);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
