package io.vmagent.backend;

import static io.vmagent.backend.BackendFlowTests.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.backend.cli.Main;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.IngestAck;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsHistory;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.MetricsSeries;
import io.vmagent.protocol.ProtocolPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics history over real HTTPS: snapshots in the agent's layout (docs/metrics.md) posted
 * through the agent API, then read back at several steps with exact averages, maxima, rates from
 * counters, resets and empty steps. Subclasses choose the database; one backend serves a class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MetricsHistoryTests {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final List<String> HOST_SERIES =
      List.of(
          "cpu_percent:percent",
          "memory_used_percent:percent",
          "memory_used_bytes:bytes",
          "swap_used_percent:percent",
          "load_1m:load",
          "disk_read_bytes_per_second:bytes_per_second",
          "disk_write_bytes_per_second:bytes_per_second",
          "network_rx_bytes_per_second:bytes_per_second",
          "network_tx_bytes_per_second:bytes_per_second");

  @TempDir static Path dataDir;

  // An hour boundary well in the past, so every step of the tests starts on it.
  private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
  private RunningBackend backend;
  private ContractClient client;
  private String schema;
  private String out;
  private String err;

  abstract TestDatabase database();

  @BeforeAll
  void start() throws Exception {
    database().assumeAvailable();
    schema = TestDatabase.newSchema();
    backend = database().start(dataDir, schema);
    client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
  }

  @AfterEach
  void conformed() {
    assertThat(client.violations()).as("OpenAPI contract violations").isEmpty();
  }

  @AfterAll
  void stop() throws Exception {
    if (backend != null) {
      backend.close();
    }
    if (schema != null && database() == TestDatabase.POSTGRESQL) {
      TestDatabase.dropSchema(schema);
    }
  }

  @Test
  void hostSeriesAreAveragedAndMaxedPerStepWithRatesFromCountersAndResets() {
    TestAgent agent = registeredAgent("host-a");
    // seconds after t0, cpu, memory used %, memory used bytes, load, sda read/write, eth0 rx/tx
    // (eth0's rx goes back at 60 s without a reboot; the host reboots before 240 s).
    List<MetricsSample> samples =
        List.of(
            host(0, "boot-1", 10, 40, 4000, 1.0, 0, 0, 0, 0),
            host(20, "boot-1", 20, 50, 5000, 2.0, 2000, 200, 1000, 100),
            host(40, "boot-1", 60, 60, 6000, 3.0, 6000, 600, 3000, 300),
            host(60, "boot-1", 30, 70, 7000, 1.5, 8000, 800, 500, 500),
            host(80, "boot-1", 50, 80, 8000, 2.5, 10000, 1000, 1500, 700),
            host(180, "boot-1", 70, 90, 9000, 4.0, 20000, 2000, 6500, 1700),
            host(240, "boot-2", 40, 30, 3000, 0.5, 3000, 300, 600, 60));
    post(agent, samples.subList(0, 3));
    // Redelivered: stored once, counted once.
    assertThat(post(agent, samples.subList(0, 3))).isEqualTo(new IngestAck(0, 3));
    // The next batch out of order: its first sample's rates come from the stored one before it.
    List<MetricsSample> rest = new ArrayList<>(samples.subList(3, 7));
    java.util.Collections.reverse(rest);
    post(agent, rest);

    MetricsHistory minutes = history("host-a", null, t0, t0.plusSeconds(300), 60);
    assertThat(minutes.agentId()).isEqualTo("host-a");
    assertThat(minutes.vm()).isNull();
    assertThat(minutes.from()).isEqualTo(t0);
    assertThat(minutes.stepSeconds()).isEqualTo(60);
    assertThat(minutes.timestamps())
        .containsExactly(epoch(0), epoch(60), epoch(120), epoch(180), epoch(240));
    assertThat(minutes.series())
        .extracting(s -> s.name() + ":" + s.unit())
        .containsExactlyElementsOf(HOST_SERIES);
    assertSeries(
        minutes, "cpu_percent", values(30, 40, null, 70, 40), values(60, 50, null, 70, 40));
    assertSeries(
        minutes,
        "memory_used_bytes",
        values(5000, 7500, null, 9000, 3000),
        values(6000, 8000, null, 9000, 3000));
    assertSeries(minutes, "load_1m", values(2, 2, null, 4, 0.5), values(3, 2.5, null, 4, 0.5));
    assertSeries(minutes, "swap_used_percent", values(null, null, null, null, null), null);
    // sda: 100 and 200 B/s, then 100, 100, 100 over the gap, and after the reboot 3000 B in 60 s;
    // dm-0 (stacked on sda) is left out.
    assertSeries(
        minutes,
        "disk_read_bytes_per_second",
        values(150, 100, null, 100, 50),
        values(200, 100, null, 100, 50));
    // eth0: 50, 100, then a counter that went back counts from zero (500 B in 20 s), 50, 50, and
    // 600 B since the reboot; lo is left out.
    assertSeries(
        minutes,
        "network_rx_bytes_per_second",
        values(75, 37.5, null, 50, 10),
        values(100, 50, null, 50, 10));

    MetricsHistory twoMinutes = history("host-a", null, t0, t0.plusSeconds(300), 120);
    assertThat(twoMinutes.timestamps()).containsExactly(epoch(0), epoch(120), epoch(240));
    assertSeries(twoMinutes, "cpu_percent", values(34, 70, 40), values(60, 70, 40));
    assertSeries(twoMinutes, "disk_write_bytes_per_second", values(12.5, 10, 5), values(20, 10, 5));

    MetricsHistory oneStep = history("host-a", null, t0.plusSeconds(10), t0.plusSeconds(290), 300);
    assertThat(oneStep.from()).isEqualTo(t0);
    assertThat(oneStep.timestamps()).containsExactly(epoch(0));
    MetricsSeries read = series(oneStep, "disk_read_bytes_per_second");
    assertThat(read.avg().get(0)).isCloseTo(650 / 6.0, within(1e-9));
    assertThat(read.max().get(0)).isEqualTo(200.0);

    MetricsHistory before = history("host-a", null, t0.minusSeconds(600), t0, 60);
    assertThat(before.timestamps()).hasSize(10);
    assertThat(before.series())
        .allSatisfy(s -> assertThat(s.avg()).hasSize(10).containsOnlyNulls());
  }

  @Test
  void vmSeriesComeFromTheirDomainAndARestartedVmCountsFromZero() {
    TestAgent agent = registeredAgent("host-v");
    post(
        agent,
        List.of(
            vms(0, web(1, 5, 1000, 0, 0, 0, 0)),
            vms(30, web(1, 15, 1000, 3000, 300, 600, 60)),
            vms(60, web(1, 25, 2000, 6000, 600, 1200, 120)),
            // Restarted (a new hypervisor id): 9000 B read since, not 3000 more.
            vms(90, web(2, 35, 2000, 9000, 900, 300, 30))));

    MetricsHistory web = history("host-v", "web-1", t0, t0.plusSeconds(120), 60);
    assertThat(web.vm()).isEqualTo("web-1");
    assertThat(web.series())
        .extracting(s -> s.name() + ":" + s.unit())
        .containsExactly(
            "cpu_percent:percent",
            "memory_bytes:bytes",
            "disk_read_bytes_per_second:bytes_per_second",
            "disk_write_bytes_per_second:bytes_per_second",
            "network_rx_bytes_per_second:bytes_per_second",
            "network_tx_bytes_per_second:bytes_per_second");
    assertSeries(web, "cpu_percent", values(10, 30), values(15, 35));
    assertSeries(web, "memory_bytes", values(1000, 2000), values(1000, 2000));
    assertSeries(web, "disk_read_bytes_per_second", values(100, 200), values(100, 300));
    assertSeries(web, "network_rx_bytes_per_second", values(20, 15), values(20, 20));

    MetricsHistory off = history("host-v", "db-1", t0, t0.plusSeconds(120), 60);
    assertSeries(off, "cpu_percent", values(null, null), values(null, null));
    assertSeries(off, "memory_bytes", values(1024, 1024), values(1024, 1024));

    MetricsHistory host = history("host-v", null, t0, t0.plusSeconds(120), 60);
    assertSeries(host, "cpu_percent", values(null, null), values(null, null));
    MetricsHistory unknown = history("host-v", "never-seen", t0, t0.plusSeconds(120), 60);
    assertThat(unknown.series()).allSatisfy(s -> assertThat(s.max()).containsOnlyNulls());
  }

  @Test
  void theRangeAndStepDefaultToTheLastHourWithinThreeHundredPoints() {
    registeredAgent("host-d");
    MetricsHistory lastHour =
        client
            .get(ProtocolPaths.operatorMetricsHistory(query("agent_id", "host-d")), operator())
            .as(MetricsHistory.class);
    assertThat(lastHour.stepSeconds()).isEqualTo(60);
    // The backend's clock is the database's, which may differ from this JVM's by a little.
    assertThat(lastHour.to()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
    assertThat(lastHour.timestamps()).hasSizeBetween(60, 61);
    assertThat(lastHour.timestamps().get(0) % 60).isZero();

    MetricsHistory week =
        client
            .get(
                ProtocolPaths.operatorMetricsHistory(
                    query(
                        "agent_id",
                        "host-d",
                        "from",
                        t0.minus(Duration.ofDays(7)).toString(),
                        "to",
                        t0.toString())),
                operator())
            .as(MetricsHistory.class);
    assertThat(week.stepSeconds()).isEqualTo(3600);
    assertThat(week.timestamps()).hasSize(168);
  }

  @Test
  void badParametersAreRefusedWithTheReasonAndCallersMustBeOperators() {
    TestAgent agent = registeredAgent("host-b");
    String from = t0.toString();
    String to = t0.plusSeconds(3600).toString();

    assertThat(refused(query("agent_id", "host-b", "from", to, "to", from), 400))
        .contains("must be before to");
    assertThat(refused(query("agent_id", "host-b", "from", from, "to", from), 400))
        .contains("must be before to");
    assertThat(refused(query("agent_id", "host-b", "from", from, "to", to, "step", "90"), 400))
        .contains("multiple of 60 seconds");
    assertThat(refused(query("agent_id", "host-b", "from", from, "to", to, "step", "30"), 400))
        .isEqualTo("step must be 60 to 86400 seconds, got 30");
    assertThat(
            refused(
                query(
                    "agent_id",
                    "host-b",
                    "from",
                    t0.minus(Duration.ofDays(30)).toString(),
                    "to",
                    from,
                    "step",
                    "60"),
                400))
        .contains("43200 points, more than the 1000 an answer holds")
        .contains("use a step of at least 2640 s");
    assertThat(refused(query("agent_id", "host-b", "from", "yesterday"), 400))
        .contains("\"yesterday\" is invalid");
    assertThat(refused(query("vm", "web-1"), 400)).contains("agent_id");
    assertThat(refused(query("agent_id", "host-nobody"), 404)).contains("no agent host-nobody");

    String path = ProtocolPaths.operatorMetricsHistory(query("agent_id", "host-b"));
    assertThat(client.send("GET", path, agent.accessToken, null, null, false).status())
        .as("an agent may not read the history")
        .isEqualTo(403);
    assertThat(client.send("GET", path, null, null, null, false).status()).isEqualTo(401);
  }

  @Test
  void theCommandLinePrintsOneLinePerStepWithUnitsInTheHeader() {
    TestAgent agent = registeredAgent("host-c");
    post(
        agent,
        List.of(
            host(0, "boot-1", 12.5, 40, 3L << 30, 0.25, 0, 0, 0, 0),
            host(30, "boot-1", 37.5, 60, 5L << 30, 0.75, 3_072_000, 0, 30_720, 0)));
    String from = t0.toString();
    String to = t0.plusSeconds(120).toString();

    int status = cli("--agent", "host-c", "--from", from, "--to", to, "--step", "1m");
    assertThat(status).as(err).isZero();
    List<String> lines = out.lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).split("  +"))
        .containsExactly(
            "TIME",
            "cpu %",
            "memory_used %",
            "memory_used B",
            "swap_used %",
            "load_1m",
            "disk_read B/s",
            "disk_write B/s",
            "network_rx B/s",
            "network_tx B/s");
    assertThat(lines.get(1).split("  +"))
        .containsExactly(
            from,
            "25/37.5",
            "50/60",
            "4.0Gi/5.0Gi",
            "-",
            "0.50/0.75",
            "100Ki/100Ki",
            "0/0",
            "1.0Ki/1.0Ki",
            "0/0");
    assertThat(lines.get(2).split("  +"))
        .containsExactly(
            t0.plusSeconds(60).toString(), "-", "-", "-", "-", "-", "-", "-", "-", "-");

    assertThat(cli("--agent", "host-c", "--since", "2m", "--to", to, "--json")).as(err).isZero();
    JsonNode json = parse(out);
    assertThat(json.get("vm").isNull()).isTrue();
    assertThat(json.get("step_seconds").asInt()).isEqualTo(60);
    assertThat(json.get("series").get(0).get("avg").toString()).isEqualTo("[25.0,null]");

    assertThat(cli("--agent", "host-c", "--step", "90s")).isEqualTo(3);
    assertThat(err).contains("multiple of 60 seconds");
    assertThat(cli("--agent", "host-c", "--since", "1h", "--from", from)).isEqualTo(2);
    assertThat(err).contains("--since or --from");
  }

  /** Runs {@code vm-backend metrics history ARGS} against the backend, keeping what it printed. */
  private int cli(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    List<String> all = new ArrayList<>(List.of("metrics", "history"));
    all.addAll(List.of(args));
    all.addAll(List.of("--data-dir", dataDir.toString()));
    int status =
        Main.run(new PrintWriter(o, true), new PrintWriter(e, true), all.toArray(String[]::new));
    out = o.toString();
    err = e.toString();
    return status;
  }

  @Test
  void bucketsPastTheirRetentionArePruned() throws Exception {
    TestAgent agent = registeredAgent("host-p");
    post(agent, List.of(host(0, "boot-1", 10, 40, 4000, 1.0, 0, 0, 0, 0)));
    assertThat(rollupRows("host-p")).isEqualTo(4); // cpu, memory %, memory bytes, load
    io.vmagent.backend.store.RetentionStore retention =
        new io.vmagent.backend.store.RetentionStore(
            database() == TestDatabase.H2
                ? io.vmagent.backend.store.Dialect.H2
                : io.vmagent.backend.store.Dialect.POSTGRESQL);
    try (Connection c = backend.dataSource().getConnection()) {
      assertThat(
              retention.delete(
                  c,
                  io.vmagent.backend.store.RetentionStore.Prunable.METRICS_HISTORY,
                  Instant.now().minusSeconds(60),
                  1000))
          .isZero();
      assertThat(
              retention.delete(
                  c,
                  io.vmagent.backend.store.RetentionStore.Prunable.METRICS_HISTORY,
                  Instant.now().plusSeconds(60),
                  1000))
          .isGreaterThanOrEqualTo(4);
    }
    assertThat(rollupRows("host-p")).isZero();
  }

  private int rollupRows(String agentId) throws Exception {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT COUNT(*) FROM metrics_rollup WHERE agent_id = ?")) {
      s.setString(1, agentId);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  private static JsonNode parse(String json) {
    try {
      return ContractClient.JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String refused(Map<String, String> query, int status) {
    ContractClient.Answer answer =
        client.send(
            "GET", ProtocolPaths.operatorMetricsHistory(query), operator(), null, null, false);
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.problem().code())
        .isEqualTo(status == 404 ? ErrorCode.NOT_FOUND : ErrorCode.BAD_REQUEST);
    return answer.problem().detail();
  }

  private TestAgent registeredAgent(String agentId) {
    return TestAgent.registered(client, backend, agentId);
  }

  private String operator() {
    return backend.operatorToken();
  }

  private IngestAck post(TestAgent agent, List<MetricsSample> samples) {
    return client
        .post(ProtocolPaths.metrics(agent.agentId), agent.accessToken, new MetricsBatch(samples))
        .as(IngestAck.class);
  }

  private MetricsHistory history(String agentId, String vm, Instant from, Instant to, int step) {
    return client
        .get(
            ProtocolPaths.operatorMetricsHistory(
                query(
                    "agent_id",
                    agentId,
                    "vm",
                    vm,
                    "from",
                    from.toString(),
                    "to",
                    to.toString(),
                    "step",
                    String.valueOf(step))),
            operator())
        .as(MetricsHistory.class);
  }

  private long epoch(long secondsAfterT0) {
    return t0.getEpochSecond() + secondsAfterT0;
  }

  /** A host snapshot as the agent writes it, with a stacked disk and loopback to be left out. */
  private MetricsSample host(
      long at,
      String bootTime,
      double cpu,
      double memoryPercent,
      long memoryBytes,
      double load,
      long read,
      long written,
      long received,
      long sent) {
    ObjectNode snapshot = NODES.objectNode().put("schema_version", 2);
    snapshot.putObject("host").put("hostname", "h").put("boot_time", bootTime);
    ObjectNode system = snapshot.putObject("system");
    system.putObject("cpu").put("usage_percent", cpu);
    system.putObject("load").put("load_1m", load);
    system.putObject("memory").put("used_percent", memoryPercent).put("used_bytes", memoryBytes);
    system.putNull("swap");
    ArrayNode disks = system.putArray("disks");
    disks.addObject().put("device", "sda").put("read_bytes", read).put("write_bytes", written);
    disks.addObject().put("device", "dm-0").put("read_bytes", read * 7).put("write_bytes", at);
    ArrayNode network = system.putArray("network");
    network.addObject().put("name", "eth0").put("rx_bytes", received).put("tx_bytes", sent);
    network.addObject().put("name", "lo").put("rx_bytes", at * 1000).put("tx_bytes", at * 1000);
    snapshot.putArray("domains");
    return new MetricsSample(t0.plusSeconds(at), snapshot);
  }

  /** A snapshot holding web-1 as given and db-1 shut off. */
  private MetricsSample vms(long at, ObjectNode web) {
    ObjectNode snapshot = NODES.objectNode().put("schema_version", 2);
    ArrayNode domains = snapshot.putArray("domains");
    domains
        .addObject()
        .put("name", "db-1")
        .putNull("id")
        .put("state", "shut_off")
        .putNull("cpu_percent")
        .put("memory_current_bytes", 1024);
    domains.add(web);
    return new MetricsSample(t0.plusSeconds(at), snapshot);
  }

  private static ObjectNode web(
      int id, double cpu, long memory, long read, long written, long received, long sent) {
    ObjectNode domain =
        NODES
            .objectNode()
            .put("name", "web-1")
            .put("id", id)
            .put("state", "running")
            .put("cpu_percent", cpu)
            .put("memory_current_bytes", memory);
    domain
        .putArray("disks")
        .addObject()
        .put("device", "vda")
        .put("read_bytes", read)
        .put("write_bytes", written);
    domain
        .putArray("interfaces")
        .addObject()
        .put("device", "vnet0")
        .put("rx_bytes", received)
        .put("tx_bytes", sent);
    return domain;
  }

  private static List<Double> values(Number... values) {
    return Arrays.stream(values).map(v -> v == null ? null : v.doubleValue()).toList();
  }

  private static MetricsSeries series(MetricsHistory history, String name) {
    return history.series().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  private static void assertSeries(
      MetricsHistory history, String name, List<Double> avg, List<Double> max) {
    MetricsSeries series = series(history, name);
    assertThat(series.avg()).as(name + " avg").containsExactlyElementsOf(avg);
    if (max != null) {
      assertThat(series.max()).as(name + " max").containsExactlyElementsOf(max);
    }
  }
}
