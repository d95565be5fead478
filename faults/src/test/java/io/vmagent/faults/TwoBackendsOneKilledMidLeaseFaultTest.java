package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmagent.agent.Agent;
import io.vmagent.agent.command.CommandDispatcher;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.VmBackend;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.DomainInfo;

/**
 * Two backend instances on one PostgreSQL behind a balancer (the fault proxy). The instance that
 * has just leased a command dies: once before its answer reached the agent (the lease must expire
 * and the other instance deliver the command again), once right after (the agent's result must be
 * accepted by the surviving instance). Each command runs exactly once. Skipped without {@code
 * VMAGENT_TEST_PG_URL} (bin/test starts a private PostgreSQL and sets it).
 */
class TwoBackendsOneKilledMidLeaseFaultTest {
  static final String PG_URL = System.getenv("VMAGENT_TEST_PG_URL");
  static final String PG_USER = System.getenv("VMAGENT_TEST_PG_USER");
  static final String PG_PASSWORD = System.getenv("VMAGENT_TEST_PG_PASSWORD");

  @TempDir Path dir;
  final AtomicReference<RunningBackend> first = new AtomicReference<>();
  final AtomicReference<RunningBackend> second = new AtomicReference<>();
  FaultProxy proxy;
  Agent agent;
  String schema;

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
      Harness.stop(first.get());
      Harness.stop(second.get());
    } finally {
      if (schema != null) {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
            Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
      }
    }
  }

  @Test
  void aCommandLeasedByAnInstanceThatDiesRunsOnceThroughTheOther() throws Exception {
    assumeTrue(
        PG_URL != null && !PG_URL.isBlank(),
        "VMAGENT_TEST_PG_URL is not set: the two-instance scenario needs PostgreSQL (bin/test"
            + " starts one)");
    schema = "f_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    first.set(instance("a", null));
    Path cert = dir.resolve("a/tls/server.pem");
    Path key = dir.resolve("a/tls/server-key.pem");
    second.set(instance("b", new Path[] {cert, key}));
    proxy = new FaultProxy(dir, first.get().baseUrl(), first.get().caCertificatePath());
    Map<String, String> settings =
        Harness.agentSettings(
            proxy.url(),
            proxy.caPath(),
            dir.resolve("agent"),
            "two-instances",
            first.get().createBootstrapToken(false, null),
            Libvirt.HOST);
    try (LogCapture dispatcher = new LogCapture(CommandDispatcher.class)) {
      agent = new Agent(Harness.config(settings));
      agent.start();
      String id = Harness.agentId(dir.resolve("agent"));
      await().atMost(Duration.ofSeconds(60)).until(() -> online(first.get(), id));

      // 1. The instance dies with the lease granted but its answer never reaching the agent.
      AtomicBoolean armed = new AtomicBoolean(true);
      proxy.hook(
          (method, path, status, body) -> {
            if (armed.get()
                && path.endsWith("/commands")
                && new String(body, StandardCharsets.UTF_8).contains("\"operation\"")) {
              armed.set(false);
              kill(first, second.get());
              return true; // the lease was granted, its answer never arrives
            }
            return false;
          });
      CommandView pause = second.get().queueCommand(id, "pause", Map.of("vm", Libvirt.VM));
      CommandView pauseDone = second.get().awaitCommand(pause.id(), Duration.ofSeconds(60));

      // 2. The instance dies right after the agent got the command: the result goes to the other.
      first.set(instance("a", null));
      AtomicBoolean armedAgain = new AtomicBoolean(true);
      proxy.hook(
          (method, path, status, body) -> {
            if (armedAgain.get()
                && path.endsWith("/commands")
                && new String(body, StandardCharsets.UTF_8).contains("\"operation\"")) {
              armedAgain.set(false);
              // The answer is on its way to the agent; the instance that leased dies behind it.
              Thread killer = new Thread(() -> kill(second, first.get()), "kill-instance");
              killer.start();
            }
            return false;
          });
      CommandView resume = first.get().queueCommand(id, "resume", Map.of("vm", Libvirt.VM));
      CommandView resumeDone = first.get().awaitCommand(resume.id(), Duration.ofSeconds(60));

      assertThat(pauseDone.state()).isEqualTo(CommandState.SUCCEEDED);
      assertThat(pauseDone.deliveries())
          .as("delivered again after the lease expired")
          .isGreaterThanOrEqualTo(2);
      assertThat(resumeDone.state()).isEqualTo(CommandState.SUCCEEDED);
      assertThat(Libvirt.state()).isEqualTo(DomainInfo.DomainState.VIR_DOMAIN_RUNNING);
      long pauseStarts =
          dispatcher.lines().stream()
              .filter(l -> l.contains(pause.id()) && l.contains(") started"))
              .count();
      long resumeStarts =
          dispatcher.lines().stream()
              .filter(l -> l.contains(resume.id()) && l.contains(") started"))
              .count();
      assertThat(pauseStarts).isEqualTo(1);
      assertThat(resumeStarts).isEqualTo(1);
      Figures.record(
          "two backend instances, one killed mid-lease",
          "PostgreSQL, lease 10 s: instance killed with its lease answer lost -> other instance"
              + " delivered the command again (delivery "
              + pauseDone.deliveries()
              + "), ran once,"
              + " SUCCEEDED; instance killed right after answering -> result accepted by the other"
              + " (delivery "
              + resumeDone.deliveries()
              + "), ran once, SUCCEEDED");
    }
  }

  private RunningBackend instance(String name, Path[] tls) throws Exception {
    return Harness.backend(
        dir.resolve(name),
        0,
        b -> {
          VmBackend.Builder builder =
              b.jdbcUrl(PG_URL).dbCredentials(PG_USER, PG_PASSWORD).dbSchema(schema).dbPoolSize(4);
          return tls == null ? builder : builder.tlsCertificate(tls[0], tls[1]);
        });
  }

  /** Stops the instance in {@code dying} and points the balancer at {@code survivor}. */
  private void kill(AtomicReference<RunningBackend> dying, RunningBackend survivor) {
    proxy.upstream(survivor.baseUrl());
    try {
      Harness.stop(dying.getAndSet(null));
    } catch (Exception e) {
      throw new IllegalStateException("stopping a backend instance failed", e);
    }
  }

  // Instance b serves a's certificate (one balancer address), so a's own CA checks the operator
  // call; the database is shared, so either instance answers for the agent.
  private static boolean online(RunningBackend backend, String id) {
    try {
      return backend.operator().showAgent(id).connectivity() == Connectivity.ONLINE;
    } catch (Exception notYet) {
      return false;
    }
  }
}
