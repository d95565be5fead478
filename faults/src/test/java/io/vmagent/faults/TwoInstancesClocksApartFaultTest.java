package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmagent.agent.Agent;
import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import io.vmagent.protocol.QueueCommandRequest;
import io.vmagent.testing.BackendProcess;
import io.vmagent.testing.FakeTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two backend processes on one PostgreSQL database behind a balancer (the fault proxy), the
 * second's clock a minute behind the first's (libfaketime). The agent heartbeats through the slow
 * instance while the fast one is asked: it is not shown offline. A command leased by the slow
 * instance, whose result is held up a few seconds, is not delivered again by the fast one when the
 * agent's next poll reaches it: its lease has not run out. Skipped without {@code
 * VMAGENT_TEST_PG_URL} (bin/test starts a private PostgreSQL) or libfaketime.
 */
class TwoInstancesClocksApartFaultTest {
  static final String PG_URL = System.getenv("VMAGENT_TEST_PG_URL");
  static final String PG_USER = System.getenv("VMAGENT_TEST_PG_USER");
  static final String PG_PASSWORD = System.getenv("VMAGENT_TEST_PG_PASSWORD");

  @TempDir Path dir;
  BackendProcess fast;
  BackendProcess slow;
  FaultProxy proxy;
  Agent agent;
  String database;

  @BeforeEach
  void sharedVmRunning() throws Exception {
    Libvirt.running();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (agent != null) {
        agent.shutdown();
      }
      if (proxy != null) {
        proxy.close();
      }
      if (slow != null) {
        slow.close();
      }
      if (fast != null) {
        fast.close();
      }
    } finally {
      if (database != null) {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
            Statement s = c.createStatement()) {
          s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
      }
    }
  }

  @Test
  void instancesAMinuteApartNeitherRedeliverEarlyNorCallALiveAgentOffline() throws Exception {
    assumeTrue(
        PG_URL != null && !PG_URL.isBlank(),
        "VMAGENT_TEST_PG_URL is not set: the two-instance scenario needs PostgreSQL (bin/test"
            + " starts one)");
    assumeTrue(
        FakeTime.library().isPresent(), "libfaketime is not installed (bin/test installs it)");
    database = "clocks_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    String url = PG_URL.substring(0, PG_URL.lastIndexOf('/') + 1) + database;
    Path password = dir.resolve("db-password");
    Files.writeString(password, PG_PASSWORD);
    String[] shared = {
      "--jdbc-url",
      url,
      "--db-user",
      PG_USER,
      "--db-password-file",
      password.toString(),
      "--client-auth",
      "off",
      "--lease",
      "10s"
    };
    fast = BackendProcess.start(dir.resolve("fast"), shared);
    FakeTime behind = FakeTime.start(dir.resolve("faketime"), "-60s");
    // One balancer address: the slow instance serves the fast one's certificate.
    String[] slowOptions = {
      "--tls-cert", dir.resolve("fast/tls/server.pem").toString(),
      "--tls-key", dir.resolve("fast/tls/server-key.pem").toString()
    };
    slow =
        BackendProcess.start(
            dir.resolve("slow"), behind.environment(), concat(shared, slowOptions));
    OperatorClient fastOperator =
        OperatorClient.create(fast.baseUrl(), fast.caPem(), fast.operatorToken());

    proxy = new FaultProxy(dir, slow.baseUrl(), fast.caPem());
    String token =
        fastOperator
            .createBootstrapToken(new CreateBootstrapTokenRequest("clocks", false, null))
            .token();
    Map<String, String> settings =
        Harness.agentSettings(
            proxy.url(), proxy.caPath(), dir.resolve("agent"), "clocks-apart", token, Libvirt.HOST);
    agent = new Agent(Harness.config(settings));
    agent.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.exists(dir.resolve("agent/state/agent-id")));
    String id = Harness.agentId(dir.resolve("agent"));

    // Heartbeats go through the slow instance; the fast one judges them: online, all along.
    await().atMost(Duration.ofSeconds(60)).until(() -> connectivity(fastOperator, id) != null);
    for (int i = 0; i < 20; i++) {
      assertThat(connectivity(fastOperator, id))
          .as("the agent as the instance a minute ahead sees it")
          .isEqualTo(Connectivity.ONLINE);
      Thread.sleep(1_000);
    }

    // The slow instance leases; the next poll reaches the fast one while the result is held up.
    proxy.rules(
        (method, path, nth) ->
            path.endsWith("/results") && nth <= 2
                ? new FaultProxy.Fail(503, 2)
                : new FaultProxy.Forward());
    proxy.hook(
        (method, path, status, body) -> {
          if (path.endsWith("/commands")
              && new String(body, java.nio.charset.StandardCharsets.UTF_8)
                  .contains("\"operation\"")) {
            proxy.upstream(fast.baseUrl());
          }
          return false;
        });
    CommandView pause =
        fastOperator.queueCommand(
            new QueueCommandRequest(id, "pause", Map.of("vm", Libvirt.VM), null));
    CommandView done = fastOperator.awaitCommand(pause.id(), Duration.ofSeconds(60));

    assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);
    assertThat(done.deliveries()).as("deliveries within the lease").isEqualTo(1);
    assertThat(proxy.injected()).isNotEmpty();
    Figures.record(
        "two backend instances a minute apart",
        "PostgreSQL, lease 10 s, one instance's clock 60 s behind: agent online throughout as the"
            + " other instance sees it; a command leased by the slow instance with its result held"
            + " up was delivered "
            + done.deliveries()
            + " time(s) and SUCCEEDED");
  }

  private static Connectivity connectivity(OperatorClient operator, String id) {
    try {
      return operator.showAgent(id).connectivity();
    } catch (Exception notYet) {
      return null;
    }
  }

  private static String[] concat(String[] first, String[] second) {
    String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }
}
