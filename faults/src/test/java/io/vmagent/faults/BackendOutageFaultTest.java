package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.Agent;
import io.vmagent.backend.RunningBackend;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * The backend goes away for VMAGENT_FAULTS_OUTAGE_SECONDS (60 s unless set; the faults-long profile
 * sets 180 s; the scenario takes about two minutes more than the outage) while ten agents run with
 * five-second intervals: commands were in flight, VMs change state and metrics keep being sampled.
 * When it returns nothing may be lost, the metrics spool must have stayed within its bound, and the
 * agents must come back spread out by their jittered backoff rather than all at once.
 */
@Tag("faults-long")
class BackendOutageFaultTest {
  static final int AGENTS = 10;

  @TempDir Path dir;
  final List<Agent> agents = new ArrayList<>();
  final List<TcpTap> taps = new ArrayList<>();
  RunningBackend backend;

  @BeforeEach
  void sharedVmRunning() throws Exception {
    Libvirt.running();
  }

  @AfterEach
  void stop() throws Exception {
    for (Agent agent : agents) {
      agent.shutdown();
    }
    for (TcpTap tap : taps) {
      tap.close();
    }
    Harness.stop(backend);
  }

  @Test
  void tenAgentsLoseNothingThroughAnOutageAndReconnectSpreadOut() throws Exception {
    int outageSeconds =
        Integer.parseInt(System.getenv().getOrDefault("VMAGENT_FAULTS_OUTAGE_SECONDS", "60"));
    run(outageSeconds);
  }

  void run(int outageSeconds) throws Exception {
    Path data = dir.resolve("backend");
    int port = Harness.freePort();
    backend = Harness.backend(data, port, b -> b);
    String token = backend.createBootstrapToken(false, null);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < AGENTS; i++) {
      TcpTap tap = new TcpTap("agent" + i, port);
      taps.add(tap);
      Path agentDir = dir.resolve("agent" + i);
      Map<String, String> settings =
          Harness.agentSettings(
              Harness.localUrl(tap.port()),
              backend.caCertificatePath(),
              agentDir,
              "outage-" + i,
              token,
              "test:///default");
      Agent agent = new Agent(Harness.config(settings));
      agent.start();
      agents.add(agent);
      ids.add(Harness.agentId(agentDir));
    }
    await().atMost(Duration.ofSeconds(90)).until(() -> ids.stream().allMatch(this::online));

    // Steady traffic first: one command each, answered.
    for (String id : ids) {
      assertThat(
              backend
                  .awaitCommand(
                      backend.queueCommand(id, "info", Map.of("vm", "test")).id(),
                      Duration.ofSeconds(30))
                  .state())
          .isEqualTo(CommandState.SUCCEEDED);
    }

    // Commands in flight when the backend dies: some are leased, some results not yet delivered.
    List<String> inFlight = new ArrayList<>();
    for (String id : ids) {
      inFlight.add(backend.queueCommand(id, "info", Map.of("vm", "test")).id());
    }
    Instant down = Instant.now();
    Harness.stop(backend);
    backend = null;
    taps.forEach(TcpTap::cutAll);

    // While it is away the VM changes state: every agent sees the events.
    int toggles = 0;
    long downMillis = down.toEpochMilli();
    long metricsBytesPeak = 0;
    Connect libvirt = new Connect("test:///default");
    try {
      Domain domain = libvirt.domainLookupByName("test");
      while (Instant.now().isBefore(down.plusSeconds(outageSeconds))) {
        domain.suspend();
        Thread.sleep(500);
        domain.resume();
        toggles++;
        for (int i = 0; i < AGENTS; i++) {
          metricsBytesPeak =
              Math.max(
                  metricsBytesPeak,
                  Harness.bytesUnder(dir.resolve("agent" + i + "/state/spool/metrics")));
        }
        Thread.sleep(2_500);
      }
    } finally {
      libvirt.close();
    }
    Instant up = Instant.now();
    backend = Harness.backend(data, port, b -> b);
    long upMillis = up.toEpochMilli();

    // Every in-flight command finishes once; every event and every sample of the outage arrives.
    for (String commandId : inFlight) {
      CommandView view = backend.awaitCommand(commandId, Duration.ofSeconds(90));
      assertThat(view.state())
          .as("command %s after the outage", commandId)
          .isEqualTo(CommandState.SUCCEEDED);
    }
    int expectedEvents = 2 * toggles;
    long expectedSamples = outageSeconds / 5L - 2;
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () ->
                ids.stream()
                    .allMatch(
                        id ->
                            count(
                                        "SELECT COUNT(*) FROM vm_events WHERE agent_id = ? AND"
                                            + " event_time >= ? AND event_time <= ?",
                                        id,
                                        down,
                                        up.plusSeconds(1))
                                    >= expectedEvents
                                && count(
                                        "SELECT COUNT(*) FROM metrics_samples WHERE agent_id = ?"
                                            + " AND sample_time >= ? AND sample_time <= ?",
                                        id,
                                        down,
                                        up)
                                    >= expectedSamples));
    long gaps = 0;
    for (String id : ids) {
      long events = count("SELECT COUNT(*) FROM vm_events WHERE agent_id = ?", id);
      long span =
          count(
              "SELECT MAX(sequence_no) - MIN(sequence_no) + 1 FROM vm_events WHERE agent_id = ?",
              id);
      gaps += span - events;
    }
    assertThat(gaps).as("missing event sequence numbers across the fleet").isZero();
    long samples = 0;
    for (String id : ids) {
      samples +=
          count(
              "SELECT COUNT(*) FROM metrics_samples WHERE agent_id = ? AND sample_time >= ? AND"
                  + " sample_time <= ?",
              id,
              down,
              up);
    }
    assertThat(metricsBytesPeak)
        .as("metrics spool on disk during the outage")
        .isLessThanOrEqualTo(1024 * 1024);
    await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(this::online));

    // Reconnection: when each agent first reached the backend again, and how hard it knocked.
    List<Long> firstBack = new ArrayList<>();
    long refusedDuringOutage = 0;
    TreeMap<Long, Integer> attemptsPerSecond = new TreeMap<>();
    for (TcpTap tap : taps) {
      List<TcpTap.Attempt> attempts = tap.attempts();
      attempts.stream()
          .filter(a -> a.reachedBackend() && a.atMillis() >= upMillis)
          .mapToLong(TcpTap.Attempt::atMillis)
          .min()
          .ifPresent(t -> firstBack.add(t - upMillis));
      for (TcpTap.Attempt a : attempts) {
        if (a.atMillis() >= downMillis && a.atMillis() < upMillis) {
          refusedDuringOutage++;
          attemptsPerSecond.merge((a.atMillis() - downMillis) / 1000, 1, Integer::sum);
        }
      }
    }
    firstBack.sort(null);
    assertThat(firstBack).as("every agent reconnected").hasSize(AGENTS);
    long spread = firstBack.get(firstBack.size() - 1) - firstBack.get(0);
    int peak = attemptsPerSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    TreeMap<Long, Integer> perTenSeconds = new TreeMap<>();
    attemptsPerSecond.forEach(
        (second, n) -> perTenSeconds.merge(second / 10 * 10, n, Integer::sum));
    Figures.record(
        "backend outage",
        String.format(
            "%d agents, outage %d s; %d in-flight commands all SUCCEEDED after it; %d lifecycle"
                + " events per agent during the outage, all delivered, %d sequence gaps; %d metrics"
                + " samples from the outage delivered (>= %d per agent expected); metrics spool"
                + " peak %d bytes (bound 1 MiB); %d connection attempts refused during the outage"
                + " (peak %d/s for the fleet; per 10 s from the start of the outage: %s); first"
                + " reconnect after the backend returned, ms per agent: %s (spread %d ms)",
            AGENTS,
            outageSeconds,
            inFlight.size(),
            expectedEvents,
            gaps,
            samples,
            expectedSamples,
            metricsBytesPeak,
            refusedDuringOutage,
            peak,
            perTenSeconds.values(),
            firstBack.stream().map(String::valueOf).collect(Collectors.joining(", ")),
            spread));
    assertThat(spread).as("reconnects spread out, not a herd").isGreaterThanOrEqualTo(1_000);
    // Each agent runs six loops (heartbeat, commands, metrics, three spool drainers), each trying
    // up
    // to AGENT_RETRY_ATTEMPTS times per round: the bound is what full jitter keeps them under.
    assertThat(peak)
        .as("fleet-wide attempts in any one second of the outage")
        .isLessThanOrEqualTo(AGENTS * 15);
  }

  private boolean online(String id) {
    try {
      return backend.operator().showAgent(id).connectivity() == Connectivity.ONLINE;
    } catch (Exception notYet) {
      return false;
    }
  }

  private long count(String sql, Object... args) {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        Object arg = args[i];
        s.setObject(i + 1, arg instanceof Instant at ? Timestamp.from(at) : arg);
      }
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
