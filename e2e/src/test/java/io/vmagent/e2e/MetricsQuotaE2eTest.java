package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vmagent.agent.Agent;
import io.vmagent.agent.spool.Spool;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.backend.config.Limits;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * An agent past its metrics quota for the day: the backend answers 429 with Retry-After until the
 * day ends, and the agent stops sending metrics until then (its spool keeps them, within its bound)
 * instead of retrying every few seconds, while its heartbeats and commands go on.
 */
class MetricsQuotaE2eTest {
  @TempDir Path dir;
  private RunningBackend backend;
  private Agent agent;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @AfterEach
  void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(Spool.class)).detachAppender(log);
    if (agent != null) {
      agent.shutdown();
    }
    E2e.close(backend);
  }

  @Test
  void pastItsDailyQuotaTheAgentStopsSendingMetricsUntilTheDayEnds() throws Exception {
    Limits d = Limits.defaults();
    backend =
        E2e.backend(
            dir.resolve("backend"),
            ClientAuth.REQUIRED,
            0,
            b ->
                b.limits(
                    new Limits(
                        d.maxConnections(),
                        d.newConnectionsPerSecond(),
                        d.maxRequestsInFlight(),
                        d.maxWaitingPollsPerAgent(),
                        d.failedAuthBurstPerAddress(),
                        d.failedAuthPerAddressPerMinute(),
                        d.failedAuthBurstPerCredential(),
                        d.agentRequestsPerMinute(),
                        d.registrationsPerTokenPerMinute(),
                        4 * 1024)));
    log.start();
    ((Logger) LoggerFactory.getLogger(Spool.class)).addAppender(log);
    Map<String, String> settings =
        E2e.agentSettings(
            backend,
            dir.resolve("agent"),
            backend.createBootstrapToken(false, null),
            E2e.libvirtHost(dir));
    agent = new Agent(E2e.config(settings));
    agent.start();
    String agentId = E2e.agentId(dir.resolve("agent"));

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                log.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("asks for no more metrics")));
    String warning =
        log.list.stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(m -> m.contains("asks for no more metrics"))
            .findFirst()
            .orElseThrow();
    long pause = Long.parseLong(warning.replaceAll(".*for (\\d+) s.*", "$1"));
    assertThat(pause).as(warning).isGreaterThan(3_600);

    long stored = samples();
    Instant watched = Instant.now();
    Thread.sleep(16_000); // three metrics intervals of 5 s
    assertThat(samples()).as("nothing more was accepted").isEqualTo(stored);
    assertThat(
            log.list.stream()
                .filter(e -> e.getFormattedMessage().contains("asks for no more metrics"))
                .count())
        .as("the agent did not ask again")
        .isEqualTo(1);
    assertThat(backend.operator().showAgent(agentId).lastHeartbeatAt()).isAfter(watched);
    String id = backend.queueCommand(agentId, "list", Map.of()).id();
    assertThat(backend.awaitCommand(id, Duration.ofSeconds(30)).state().wire())
        .isEqualTo("succeeded");
  }

  private long samples() throws Exception {
    try (Connection c = backend.dataSource().getConnection();
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM metrics_samples")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
