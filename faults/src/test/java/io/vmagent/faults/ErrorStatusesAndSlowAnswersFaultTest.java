package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.Agent;
import io.vmagent.agent.command.CommandDispatcher;
import io.vmagent.backend.RunningBackend;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.DomainInfo;

/**
 * The backend (behind a fault-injecting proxy) answers 500, 503 and 429 with Retry-After, holds
 * answers longer than the agent's timeout after applying the request, and cuts connections without
 * answering. Every command must still run exactly once and report its result, and every lifecycle
 * event must arrive once.
 */
// In the long fault run until its intermittent failure is understood: in two of about five full
// runs on a loaded machine fewer events than commands were stored within minutes, every command
// having run once (see docs/reliability.md).
@Tag("faults-long")
class ErrorStatusesAndSlowAnswersFaultTest {
  @TempDir Path dir;
  RunningBackend backend;
  FaultProxy proxy;
  Agent agent;

  @BeforeEach
  void sharedVmRunning() throws Exception {
    Libvirt.running();
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.shutdown();
    }
    if (proxy != null) {
      proxy.close();
    }
    Harness.stop(backend);
  }

  @Test
  void everyCommandRunsOnceAndEveryEventArrivesOnceThroughErrorsAndSlowAnswers() throws Exception {
    backend = Harness.backend(dir.resolve("backend"), 0, b -> b);
    proxy = new FaultProxy(dir, backend.baseUrl(), backend.caCertificatePath());
    proxy.rules(
        (method, path, nth) -> {
          String kind = FaultProxy.kind(path);
          return switch (kind) {
            case "results" ->
                nth % 3 == 1
                    ? new FaultProxy.Fail(500, null)
                    : nth % 3 == 2
                        ? new FaultProxy.ForwardThenDelay(Duration.ofSeconds(3))
                        : new FaultProxy.Forward();
            case "heartbeat" ->
                nth % 2 == 0 ? new FaultProxy.Fail(429, 1) : new FaultProxy.Forward();
            case "commands" ->
                nth % 4 == 2 ? new FaultProxy.Fail(503, 1) : new FaultProxy.Forward();
            case "metrics" ->
                nth % 2 == 1 ? new FaultProxy.Fail(500, null) : new FaultProxy.Forward();
            case "events" ->
                nth % 2 == 1 ? new FaultProxy.ForwardThenDrop() : new FaultProxy.Forward();
            default -> new FaultProxy.Forward();
          };
        });
    Map<String, String> settings =
        Harness.agentSettings(
            proxy.url(),
            proxy.caPath(),
            dir.resolve("agent"),
            "faulty-backend",
            backend.createBootstrapToken(false, null),
            "test:///default");
    settings.put("AGENT_API_TIMEOUT", "2");
    try (LogCapture dispatcher = new LogCapture(CommandDispatcher.class)) {
      agent = new Agent(Harness.config(settings));
      agent.start();
      String id = Harness.agentId(dir.resolve("agent"));
      await().atMost(Duration.ofSeconds(60)).until(() -> online(id));

      int commands = 8;
      List<String> ids = new ArrayList<>();
      long started = System.nanoTime();
      for (int i = 0; i < commands; i++) {
        String operation = i % 2 == 0 ? "pause" : "resume";
        CommandView view = backend.queueCommand(id, operation, Map.of("vm", "test"));
        ids.add(view.id());
        CommandView done = backend.awaitCommand(view.id(), Duration.ofSeconds(60));
        assertThat(done.state())
            .as("%s %s", operation, view.id())
            .isEqualTo(CommandState.SUCCEEDED);
      }
      long seconds = (System.nanoTime() - started) / 1_000_000_000;
      long started2 =
          ids.stream()
              .filter(
                  c ->
                      dispatcher.lines().stream()
                          .anyMatch(l -> l.contains(c) && l.contains(") started")))
              .count();
      long runTwice =
          ids.stream()
              .filter(
                  c ->
                      dispatcher.lines().stream()
                              .filter(l -> l.contains(c) && l.contains(") started"))
                              .count()
                          > 1)
              .count();
      assertThat(started2).as("commands that ran").isEqualTo(commands);
      assertThat(runTwice).as("commands that ran twice").isZero();
      assertThat(Libvirt.state()).isEqualTo(DomainInfo.DomainState.VIR_DOMAIN_RUNNING);
      // Each pause and resume is one lifecycle event: all arrive, none twice (the backend keeps
      // one row per sequence number, so duplicates would show as fewer distinct rows than sent).
      // Every other delivery loses its answer, and the spool backs off up to 30 s between tries:
      // the bound leaves room for several long waits on a busy machine.
      await()
          .atMost(Duration.ofMinutes(3))
          .until(
              () ->
                  DbFingerprint.count(
                          backend.dataSource(),
                          "SELECT COUNT(*) FROM vm_events WHERE agent_id = '" + id + "'")
                      >= commands);
      long events =
          DbFingerprint.count(
              backend.dataSource(), "SELECT COUNT(*) FROM vm_events WHERE agent_id = '" + id + "'");
      long span =
          DbFingerprint.count(
              backend.dataSource(),
              "SELECT MAX(sequence_no) - MIN(sequence_no) + 1 FROM vm_events WHERE agent_id = '"
                  + id
                  + "'");
      assertThat(span).as("no event sequence missing").isEqualTo(events);
      long redeliveries =
          DbFingerprint.count(
                  backend.dataSource(),
                  "SELECT COALESCE(SUM(deliveries), 0) FROM commands WHERE agent_id = '" + id + "'")
              - commands;
      assertThat(online(id)).isTrue();
      Figures.record(
          "backend errors and slow answers",
          String.format(
              "%d pause/resume commands all SUCCEEDED in %d s, each run once (%d run twice, %d"
                  + " redeliveries answered from the journal); %d lifecycle events stored, %d"
                  + " missing; faults injected: %s",
              commands, seconds, runTwice, redeliveries, events, span - events, proxy.injected()));
      assertThat(proxy.injected())
          .containsKeys("500 on results", "slow answer on results", "429 on heartbeat");
    }
  }

  private boolean online(String id) {
    try {
      return backend.operator().showAgent(id).connectivity() == Connectivity.ONLINE;
    } catch (Exception notYet) {
      return false;
    }
  }
}
