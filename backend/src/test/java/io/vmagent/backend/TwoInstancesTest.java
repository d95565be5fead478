package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two backend instances on one PostgreSQL database, as behind a load balancer. */
class TwoInstancesTest {
  @TempDir Path dir;
  private final String schema = TestDatabase.newSchema();
  private RunningBackend first;
  private RunningBackend second;

  @BeforeEach
  void start() throws Exception {
    TestDatabase.POSTGRESQL.assumeAvailable();
    first = instance("a");
    second = instance("b");
  }

  private RunningBackend instance(String name) throws Exception {
    return TestDatabase.POSTGRESQL
        .configure(
            VmBackend.builder()
                .dataDir(dir.resolve(name))
                .listen("127.0.0.1", 0)
                .leaseDuration(Duration.ofSeconds(30))
                .pollRecheckInterval(Duration.ofMillis(200)),
            schema)
        .build()
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    if (first != null) {
      first.close();
    }
    if (second != null) {
      second.close();
    }
    if (TestDatabase.PG_URL != null) {
      TestDatabase.dropSchema(schema);
    }
  }

  @Test
  void twoInstancesNeverLeaseTheSameCommandTwice() throws Exception {
    ContractClient toFirst = new ContractClient(first.baseUrl(), first.caCertificatePath());
    // Both instances generated their own CA; the agent trusts the first's on both (its tokens
    // are what matters here), so the second is reached with its own CA.
    ContractClient toSecond = new ContractClient(second.baseUrl(), second.caCertificatePath());
    TestAgent viaFirst = new TestAgent(toFirst, "host-a");
    viaFirst.register(first.createBootstrapToken(false, null));
    TestAgent viaSecond = new TestAgent(toSecond, "host-a");
    viaSecond.accessToken = viaFirst.accessToken;
    assertThat(viaSecond.heartbeat().commandsPending())
        .as("a token issued by one instance works on the other")
        .isZero();

    int total = 60;
    Set<String> queued = new HashSet<>();
    for (int i = 0; i < total; i++) {
      RunningBackend via = i % 2 == 0 ? first : second;
      queued.add(via.queueCommand("host-a", "info", Map.of("vm", "vm-" + i)).id());
    }
    List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger polls = new AtomicInteger();
    List<CompletableFuture<Void>> pollers = new ArrayList<>();
    for (TestAgent agent : List.of(viaFirst, viaSecond, viaFirst, viaSecond)) {
      pollers.add(
          CompletableFuture.runAsync(
              () -> {
                while (delivered.size() < total && polls.incrementAndGet() < 500) {
                  CommandBatch batch =
                      agent
                          .client
                          .get(
                              io.vmagent.protocol.ProtocolPaths.commands("host-a", 0) + "&max=3",
                              agent.accessToken)
                          .as(CommandBatch.class);
                  batch.commands().forEach(c -> delivered.add(c.id()));
                }
              }));
    }
    CompletableFuture.allOf(pollers.toArray(new CompletableFuture<?>[0]))
        .get(120, TimeUnit.SECONDS);

    assertThat(delivered).doesNotHaveDuplicates().hasSize(total);
    assertThat(new HashSet<>(delivered)).isEqualTo(queued);
    assertThat(toFirst.violations()).isEmpty();
    assertThat(toSecond.violations()).isEmpty();
  }

  @Test
  void commandQueuedOnOneInstanceWakesAPollWaitingOnTheOther() throws Exception {
    ContractClient toSecond = new ContractClient(second.baseUrl(), second.caCertificatePath());
    TestAgent agent = new TestAgent(toSecond, "host-a");
    agent.register(second.createBootstrapToken(false, null));

    CompletableFuture<CommandBatch> poll = CompletableFuture.supplyAsync(() -> agent.poll(20));
    Thread.sleep(500);
    long queuedAt = System.nanoTime();
    CommandView queued = first.queueCommand("host-a", "start", Map.of("vm", "web-1"));
    CommandBatch batch = poll.get(15, TimeUnit.SECONDS);
    long latencyMs = (System.nanoTime() - queuedAt) / 1_000_000;
    System.out.printf(
        "cross-instance long-poll wake-up: %d ms (re-check every 200 ms)%n", latencyMs);

    assertThat(batch.commands()).extracting(Command::id).containsExactly(queued.id());
    assertThat(latencyMs).isLessThan(5_000);
    agent.succeed(batch.commands().get(0), "running");
    assertThat(first.awaitCommand(queued.id(), Duration.ofSeconds(5)).finished()).isTrue();
    assertThat(toSecond.violations()).isEmpty();
  }

  @Test
  void everyInstanceIssuesAndTrustsTheSameFleetCa() throws Exception {
    assertThat(java.nio.file.Files.readString(second.caCertificatePath()))
        .as("the second instance adopted the CA the first published")
        .isEqualTo(java.nio.file.Files.readString(first.caCertificatePath()));

    ContractClient toFirst = new ContractClient(first.baseUrl(), first.caCertificatePath());
    KeyedAgent agent = new KeyedAgent("host-a", first.baseUrl(), first.caCertificatePath(), dir);
    assertThat(agent.register(toFirst, first.createBootstrapToken(false, null)).status())
        .isEqualTo(200);
    KeyedAgent viaSecond =
        new KeyedAgent("host-a", second.baseUrl(), second.caCertificatePath(), dir);
    ContractClient secondWithCert =
        new KeyedAgent("host-a", second.baseUrl(), second.caCertificatePath(), dir)
            .presenting(agent.certificatePem, agent.keys.getPrivate(), "second");
    assertThat(
            secondWithCert
                .post(
                    io.vmagent.protocol.ProtocolPaths.heartbeat("host-a"),
                    agent.accessToken,
                    TestAgent.healthyHeartbeat(null))
                .status())
        .as("a certificate issued by the first instance, presented to the second")
        .isEqualTo(200);
    assertThat(viaSecond.agentId).isEqualTo("host-a");
    assertThat(
            io.vmagent.backend.client.OperatorClient.create(
                    second.baseUrl(),
                    io.vmagent.backend.client.TlsTrust.context(
                        second.caCertificatePath(),
                        first.operatorCertificatePath(),
                        first.operatorKeyPath()),
                    second.operatorToken())
                .listAgents())
        .hasSize(1);
  }
}
