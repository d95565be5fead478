package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vmagent.backend.config.Limits;
import io.vmagent.backend.limits.RefusalLog;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.ProtocolPaths;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Each rate limit and quota, reached on purpose: the attacker on 127.0.0.2, the fleet on 127.0.0.1.
 * Past a limit the answer is a 429 (or 503) problem document with Retry-After, nothing is stored,
 * and the rest of the fleet is not affected.
 */
class LimitsTest {
  @TempDir Path dir;
  private RunningBackend backend;
  private ContractClient fleet;
  private RawHttps attacker;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeEach
  void captureLog() {
    log.start();
    ((Logger) LoggerFactory.getLogger(RefusalLog.class)).addAppender(log);
  }

  @AfterEach
  void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(RefusalLog.class)).detachAppender(log);
    if (backend != null) {
      backend.close();
    }
  }

  private void start(Limits limits) throws Exception {
    backend =
        VmBackend.builder()
            .dataDir(dir.resolve("data"))
            .listen("127.0.0.1", 0)
            .limits(limits)
            .build()
            .start();
    fleet = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
    attacker = new RawHttps(backend.baseUrl(), backend.caCertificatePath(), "127.0.0.2");
  }

  private static Limits limits(
      int failedBurst, int agentPerMinute, int registrationsPerMinute, long metricsBytes) {
    Limits d = Limits.defaults();
    return new Limits(
        d.maxConnections(),
        d.newConnectionsPerSecond(),
        d.maxRequestsInFlight(),
        d.maxWaitingPollsPerAgent(),
        failedBurst,
        1,
        d.failedAuthBurstPerCredential(),
        agentPerMinute,
        registrationsPerMinute,
        metricsBytes);
  }

  private static String json(Object value) throws Exception {
    return ProtocolJson.strictMapper().writeValueAsString(value);
  }

  @Test
  void guessedTokensFromOneAddressAre429AfterABurstLoggedOnceAndTheFleetIsNotAffected()
      throws Exception {
    start(limits(5, 600, 1000, 256L << 20));
    String register = json(TestAgent.identity("host-x", null));
    List<Integer> statuses = new ArrayList<>();
    RawHttps.Answer last = null;
    for (int i = 0; i < 40; i++) {
      last = attacker.send("POST", ProtocolPaths.REGISTER, "vmb_guess-" + i, register);
      statuses.add(last.status());
    }
    assertThat(statuses.subList(0, 5)).containsOnly(401);
    assertThat(statuses.subList(5, 40)).containsOnly(429);
    assertThat(last.headers().get("retry-after")).matches("[1-9][0-9]*");
    assertThat(last.headers().get("content-type")).startsWith("application/problem+json");
    assertThat(last.body()).contains("RATE_LIMITED").doesNotContain("vmb_guess");
    // Operator-token guesses from there are refused too, before they are looked at.
    assertThat(attacker.send("GET", ProtocolPaths.OPERATOR_AGENTS, "vmo_guess", null).status())
        .isEqualTo(429);

    // The fleet, on another address, registers and works.
    TestAgent honest = new TestAgent(fleet, "host-a");
    honest.register(backend.createBootstrapToken(false, null));
    assertThat(honest.heartbeat().serverTime()).isNotNull();

    List<String> lines =
        log.list.stream()
            .filter(e -> e.getLevel() == Level.WARN)
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .contains("127.0.0.2")
        .contains("bootstrap token")
        .doesNotContain("vmb_");
  }

  @Test
  void anAgentPastItsRequestsPerMinuteGets429WithRetryAfterOnThatEndpointOnly() throws Exception {
    start(limits(30, 10, 1000, 256L << 20));
    TestAgent agent = new TestAgent(fleet, "host-a");
    agent.register(backend.createBootstrapToken(false, null));
    for (int i = 0; i < 10; i++) {
      agent.heartbeat();
    }
    ContractClient.Answer refused =
        fleet.post(
            ProtocolPaths.heartbeat("host-a"), agent.accessToken, TestAgent.healthyHeartbeat(null));
    assertThat(refused.status()).isEqualTo(429);
    // The token's own count ran out with the agent's: refused before it is verified.
    assertThat(refused.problem().detail()).contains("too many requests to this endpoint");
    assertThat(agent.poll(0).commands()).isEmpty();
  }

  @Test
  void aBootstrapTokenRegistersAtMostItsRateAMinute() throws Exception {
    start(limits(30, 600, 2, 256L << 20));
    String token = backend.createBootstrapToken(false, null);
    new TestAgent(fleet, "host-1").register(token);
    new TestAgent(fleet, "host-2").register(token);
    ContractClient.Answer third =
        fleet.post(ProtocolPaths.REGISTER, token, TestAgent.identity("host-3", null));
    assertThat(third.status()).isEqualTo(429);
    assertThat(E2eCount.agents(backend)).isEqualTo(2);
  }

  @Test
  void metricsPastTheDailyQuotaAre429UntilTheDayEndsAndNotStored() throws Exception {
    start(limits(30, 600, 1000, 1L << 20));
    TestAgent agent = new TestAgent(fleet, "host-a");
    agent.register(backend.createBootstrapToken(false, null));
    var snapshot = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    snapshot.put("padding", "x".repeat(200_000));
    int accepted = 0;
    ContractClient.Answer answer = null;
    for (int i = 0; i < 10; i++) {
      answer =
          fleet.post(
              ProtocolPaths.metrics("host-a"),
              agent.accessToken,
              new MetricsBatch(
                  List.of(new MetricsSample(Instant.now().minusSeconds(i), snapshot))));
      if (answer.status() != 200) {
        break;
      }
      accepted++;
    }
    assertThat(accepted).isBetween(4, 5);
    assertThat(answer.status()).isEqualTo(429);
    assertThat(answer.problem().detail()).contains("1 MiB of metrics for the day");
    assertThat(E2eCount.samples(backend)).isEqualTo(accepted);
    assertThat(agent.heartbeat().serverTime()).as("other endpoints are not affected").isNotNull();
  }

  @Test
  void pastTheRequestsInFlightCapTheAnswerIs503AtOnce() throws Exception {
    Limits d = Limits.defaults();
    start(
        new Limits(
            d.maxConnections(),
            d.newConnectionsPerSecond(),
            8,
            d.maxWaitingPollsPerAgent(),
            30,
            30,
            10,
            600,
            1000,
            256L << 20));
    // Eight requests whose bodies never finish each hold a request in flight.
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Socket plain = new Socket();
      plain.connect(
          new InetSocketAddress(
              InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), backend.port()));
      SSLSocket tls =
          (SSLSocket)
              io.vmagent.backend.client.TlsTrust.trusting(backend.caCertificatePath())
                  .getSocketFactory()
                  .createSocket(plain, "127.0.0.1", backend.port(), true);
      OutputStream out = tls.getOutputStream();
      out.write(
          ("POST "
                  + ProtocolPaths.REGISTER
                  + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer vmb_x\r\n"
                  + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      held.add(tls);
    }
    Thread.sleep(500);
    ContractClient.Answer busy = fleet.get(ProtocolPaths.HEALTH, null);
    assertThat(busy.status()).isEqualTo(503);
    assertThat(busy.problem().detail()).contains("8 requests");
    for (Socket s : held) {
      s.close();
    }
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> fleet.get(ProtocolPaths.HEALTH, null).status() == 200);
  }

  /** Counts read from the database. */
  static final class E2eCount {
    static long agents(RunningBackend backend) throws Exception {
      return count(backend, "SELECT COUNT(*) FROM agents");
    }

    static long samples(RunningBackend backend) throws Exception {
      return count(backend, "SELECT COUNT(*) FROM metrics_samples");
    }

    private static long count(RunningBackend backend, String sql) throws Exception {
      try (Connection c = backend.dataSource().getConnection();
          ResultSet rs = c.createStatement().executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
