package io.vmagent.backend;

import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.ProtocolPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Prints request latencies of a running backend over real HTTPS (one client, keep-alive): not a
 * test, a harness. Run with {@code mvn -pl backend -am test-compile exec:java
 * -Dexec.mainClass=io.vmagent.backend.LatencyHarness -Dexec.classpathScope=test
 * [-Dexec.args=ITERATIONS]}; set VMAGENT_TEST_PG_URL (and user/password) to measure PostgreSQL as
 * well as H2.
 */
public final class LatencyHarness {
  private LatencyHarness() {}

  /** Measures each database that is available. */
  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    measure(TestDatabase.H2, iterations);
    if (TestDatabase.PG_URL != null) {
      measure(TestDatabase.POSTGRESQL, iterations);
    }
  }

  private static void measure(TestDatabase database, int iterations) throws Exception {
    Path dir = Files.createTempDirectory("vm-backend-latency");
    String schema = TestDatabase.newSchema();
    try (RunningBackend backend = database.start(dir, schema)) {
      ContractClient client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
      TestAgent agent = new TestAgent(client, "bench-1");
      agent.register(backend.createBootstrapToken(false, null));
      // Warm-up: JIT, connection pool, TLS session.
      for (int i = 0; i < 100; i++) {
        agent.heartbeat();
      }
      System.out.printf("%n%s, %d iterations each (ms):%n", database, iterations);
      report("heartbeat", iterations, () -> agent.heartbeat());
      report("poll, nothing waiting (wait=0)", iterations, () -> agent.poll(0));
      report(
          "queue (operator API)",
          iterations,
          () ->
              client
                  .post(
                      ProtocolPaths.OPERATOR_COMMANDS,
                      backend.operatorToken(),
                      new io.vmagent.protocol.QueueCommandRequest(
                          "bench-1", "info", Map.of("vm", "web-1"), null))
                  .as(CommandView.class));
      report(
          "poll one command + submit its result",
          iterations,
          () -> {
            CommandBatch batch = agent.poll(0);
            for (Command command : batch.commands()) {
              agent.succeed(command, "running");
            }
            return batch;
          });
      List<Long> wakeups = new ArrayList<>();
      for (int i = 0; i < Math.min(iterations, 50); i++) {
        CompletableFuture<CommandBatch> poll = CompletableFuture.supplyAsync(() -> agent.poll(10));
        Thread.sleep(20);
        long queued = System.nanoTime();
        backend.queueCommand("bench-1", "info", Map.of("vm", "web-1"));
        CommandBatch batch = poll.get();
        wakeups.add(System.nanoTime() - queued);
        batch.commands().forEach(c -> agent.succeed(c, "running"));
      }
      print("long-poll wake-up after a queue", wakeups);
      if (!client.violations().isEmpty()) {
        throw new IllegalStateException("contract violations: " + client.violations());
      }
    } finally {
      if (database == TestDatabase.POSTGRESQL) {
        TestDatabase.dropSchema(schema);
      }
    }
  }

  private static void report(String name, int iterations, Supplier<?> call) {
    List<Long> nanos = new ArrayList<>(iterations);
    for (int i = 0; i < iterations; i++) {
      long started = System.nanoTime();
      java.util.Objects.requireNonNull(call.get(), name);
      nanos.add(System.nanoTime() - started);
    }
    print(name, nanos);
  }

  private static void print(String name, List<Long> nanos) {
    Collections.sort(nanos);
    System.out.printf(
        "  %-38s p50 %6.2f  p95 %6.2f  p99 %6.2f  max %6.2f%n",
        name,
        pct(nanos, 0.50),
        pct(nanos, 0.95),
        pct(nanos, 0.99),
        nanos.get(nanos.size() - 1) / 1e6);
  }

  private static double pct(List<Long> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)) / 1e6;
  }
}
