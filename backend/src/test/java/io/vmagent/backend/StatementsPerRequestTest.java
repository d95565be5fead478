package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.IngestAck;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.VmSummary;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Counts the JDBC statements and transactions each of the agent's steady-state requests costs
 * (docs/benchmarks.md, "Statements per request"), and holds each to its count: a statement added to
 * a hot route shows here first.
 */
class StatementsPerRequestTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int ROUNDS = 10;
  private static final int VMS = 5;

  @TempDir Path dir;
  private static StatementCounter counter;

  @BeforeAll
  static void install() throws Exception {
    counter = StatementCounter.install();
  }

  @AfterAll
  static void uninstall() throws Exception {
    StatementCounter.uninstall();
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void eachAgentRequestRunsItsCountedStatements(TestDatabase database) throws Exception {
    database.assumeAvailable();
    String schema = TestDatabase.newSchema();
    Map<String, StatementCounter.Count> counts = new LinkedHashMap<>();
    try (RunningBackend backend = database.start(dir, schema)) {
      ContractClient client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
      TestAgent agent = TestAgent.registered(client, backend, "count-1");
      List<VmSummary> vms = new ArrayList<>();
      for (int i = 0; i < VMS; i++) {
        vms.add(new VmSummary("vm-" + i, null, "running"));
      }
      post(agent, ProtocolPaths.heartbeat(agent.agentId), TestAgent.healthyHeartbeat(vms));
      Instant t0 = Instant.now().minusSeconds(3600);
      postMetrics(agent, t0);

      counts.put(
          "heartbeat (" + VMS + " VMs, unchanged)",
          measure(
              () ->
                  post(
                      agent,
                      ProtocolPaths.heartbeat(agent.agentId),
                      TestAgent.healthyHeartbeat(vms))));
      counts.put("poll, nothing waiting", measure(() -> agent.poll(0)));
      int[] round = {0};
      counts.put(
          "metrics (1 sample, host and " + VMS + " VMs)",
          measure(() -> postMetrics(agent, t0.plusSeconds(60L * ++round[0]))));
      StatementCounter.Count polls = new StatementCounter.Count(0, 0);
      StatementCounter.Count results = new StatementCounter.Count(0, 0);
      for (int i = 0; i < ROUNDS; i++) {
        backend.queueCommand(agent.agentId, "info", Map.of("vm", "vm-0"));
        List<Command> leased = new ArrayList<>();
        polls = plus(polls, once(() -> leased.addAll(agent.poll(0).commands())));
        assertThat(leased).hasSize(1);
        results = plus(results, once(() -> agent.succeed(leased.get(0), "running")));
      }
      counts.put("poll answering one command", perRound(polls));
      counts.put("result", perRound(results));
    } finally {
      if (database == TestDatabase.POSTGRESQL) {
        TestDatabase.dropSchema(schema);
      }
    }
    StringBuilder table = new StringBuilder("\nstatements (transactions) per request, " + database);
    counts.forEach(
        (request, count) ->
            table.append(
                String.format(
                    "%n  %-40s %d (%d)", request, count.statements(), count.transactions())));
    System.out.println(table);

    // The counts of docs/benchmarks.md: the agent's standing read on its own, then one
    // transaction. H2 leases a command with a statement of its own after finding it.
    Map<String, Integer> most = new LinkedHashMap<>();
    most.put("heartbeat (" + VMS + " VMs, unchanged)", 4);
    most.put("poll, nothing waiting", 3);
    most.put("metrics (1 sample, host and " + VMS + " VMs)", 4);
    most.put("poll answering one command", database == TestDatabase.H2 ? 4 : 3);
    most.put("result", 2);
    most.forEach(
        (request, statements) -> {
          assertThat(counts.get(request).statements()).as(request).isLessThanOrEqualTo(statements);
          assertThat(counts.get(request).transactions())
              .as(request + ": transactions")
              .isLessThanOrEqualTo(1);
        });
  }

  private static Object post(TestAgent agent, String path, Object body) {
    assertThat(agent.client.post(path, agent.accessToken, body).status()).isEqualTo(200);
    return null;
  }

  private static IngestAck postMetrics(TestAgent agent, Instant at) {
    return agent
        .client
        .post(
            ProtocolPaths.metrics(agent.agentId),
            agent.accessToken,
            new MetricsBatch(List.of(sample(at))))
        .as(IngestAck.class);
  }

  /** A snapshot as the agent writes it: the host and {@link #VMS} running VMs. */
  private static MetricsSample sample(Instant at) {
    long n = at.getEpochSecond();
    ObjectNode snapshot = NODES.objectNode().put("schema_version", 2);
    snapshot.putObject("host").put("hostname", "h").put("boot_time", "2026-01-01T00:00:00Z");
    ObjectNode system = snapshot.putObject("system");
    system.putObject("cpu").put("usage_percent", 12.5);
    system.putObject("load").put("load_1m", 0.5);
    system.putObject("memory").put("used_percent", 40.0).put("used_bytes", 4096);
    system.putNull("swap");
    system
        .putArray("disks")
        .addObject()
        .put("device", "sda")
        .put("read_bytes", n)
        .put("write_bytes", n);
    system
        .putArray("network")
        .addObject()
        .put("name", "eth0")
        .put("rx_bytes", n)
        .put("tx_bytes", n);
    ArrayNode domains = snapshot.putArray("domains");
    for (int i = 0; i < VMS; i++) {
      ObjectNode domain =
          domains
              .addObject()
              .put("name", "vm-" + i)
              .put("id", i + 1)
              .put("state", "running")
              .put("cpu_percent", 3.0)
              .put("memory_current_bytes", 1024);
      domain
          .putArray("disks")
          .addObject()
          .put("device", "vda")
          .put("read_bytes", n)
          .put("write_bytes", n);
      domain
          .putArray("interfaces")
          .addObject()
          .put("device", "vnet0")
          .put("rx_bytes", n)
          .put("tx_bytes", n);
    }
    return new MetricsSample(at, snapshot);
  }

  private static StatementCounter.Count measure(Supplier<?> request) {
    StatementCounter.Count total = new StatementCounter.Count(0, 0);
    for (int i = 0; i < ROUNDS; i++) {
      total = plus(total, once(request));
    }
    return perRound(total);
  }

  private static StatementCounter.Count once(Supplier<?> request) {
    StatementCounter.Count before = counter.now();
    var unused = request.get();
    return counter.now().minus(before);
  }

  private static StatementCounter.Count plus(StatementCounter.Count a, StatementCounter.Count b) {
    return new StatementCounter.Count(
        a.statements() + b.statements(), a.transactions() + b.transactions());
  }

  private static StatementCounter.Count perRound(StatementCounter.Count total) {
    assertThat(total.statements() % ROUNDS)
        .as("every round of a request runs the same statements: %s", total)
        .isZero();
    return new StatementCounter.Count(total.statements() / ROUNDS, total.transactions() / ROUNDS);
  }
}
