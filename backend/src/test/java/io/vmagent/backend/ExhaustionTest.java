package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.backend.client.TlsTrust;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.testing.BackendProcess;
import io.vmagent.testing.RawPollFlood;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One agent's token and one client's sockets against a backend with the launcher's heap: 2,000
 * concurrent long polls, looped, and 2,000 connections that never finish their handshake. The
 * earlier backend exited on OutOfMemoryError at the first wave of answers; now the polls beyond the
 * agent's cap are answered at once, connections are capped, and an honest agent's heartbeats go on.
 * The long suite does 4,000 and 14,000 with figures (faults' ExhaustionLongTest).
 */
class ExhaustionTest {
  @TempDir Path dir;

  @Test
  @SuppressWarnings("try") // BackendProcess.close() may be interrupted; the test then fails anyway
  void twoThousandLongPollsAndTwoThousandSlowConnectionsFromOneClientLeaveTheBackendServing()
      throws Exception {
    try (BackendProcess backend = BackendProcess.start(dir.resolve("data"))) {
      OperatorClient operator =
          OperatorClient.create(backend.baseUrl(), backend.caPem(), backend.operatorToken());
      String token =
          operator.createBootstrapToken(new CreateBootstrapTokenRequest("x", false, null)).token();
      ContractClient contract = new ContractClient(backend.baseUrl(), backend.caPem());
      TestAgent attacker = new TestAgent(contract, "attacker");
      attacker.register(token);
      TestAgent honest = new TestAgent(contract, "honest");
      honest.register(token);

      // The attacker on an address of its own, as the fleet and a flood come from different ones.
      String attackerAddress = "127.0.0.2";
      List<Socket> slow = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(attackerAddress, 0));
        socket.connect(
            new InetSocketAddress(backend.baseUrl().getHost(), backend.baseUrl().getPort()),
            10_000);
        OutputStream out = socket.getOutputStream();
        out.write(new byte[] {0x16, 0x03, 0x01}); // the start of a TLS record, then nothing
        out.flush();
        slow.add(socket);
      }

      Instant until = Instant.now().plusSeconds(12);
      RawPollFlood flood =
          RawPollFlood.start(
              backend.baseUrl(),
              TlsTrust.trusting(backend.caPem()).getSocketFactory(),
              attackerAddress,
              ProtocolPaths.commands("attacker", 30) + "&max=1",
              attacker.accessToken,
              2_000,
              until);

      List<Long> heartbeatMillis = new ArrayList<>();
      // At least one heartbeat under the flood, even when starting it took the whole window.
      do {
        long started = System.nanoTime();
        assertThat(honest.heartbeat().serverTime()).isNotNull();
        heartbeatMillis.add((System.nanoTime() - started) / 1_000_000);
        Thread.sleep(500);
      } while (Instant.now().isBefore(until));
      long heapMib = backend.heapUsedMib();
      flood.join();
      Map<Integer, AtomicInteger> statuses = flood.statuses();
      Map<String, AtomicInteger> failures = flood.failures();
      for (Socket socket : slow) {
        socket.close();
      }

      System.out.println(
          "FIGURE answers " + statuses + ", failures " + failures + ", heap " + heapMib);
      assertThat(backend.aliveAfter(Duration.ofSeconds(1))).as(backend.output()).isTrue();
      assertThat(backend.output()).doesNotContain("OutOfMemoryError");
      assertThat(statuses.keySet()).as("answers to the polls").isSubsetOf(200, 429, 503);
      // The attacker's connections past its share of new ones are refused before their handshake
      // (counted as its failures); what matters is that the honest agent was never refused.
      assertThat(honest.heartbeat().serverTime()).isNotNull();
      assertThat(contract.get(ProtocolPaths.HEALTH, null).status()).isEqualTo(200);
      heartbeatMillis.sort(null);
      System.out.println(
          "FIGURE 2,000 looped long polls and 2,000 slow connections: answers "
              + statuses
              + ", client-side failures "
              + failures
              + ", honest heartbeat max "
              + heartbeatMillis.get(heartbeatMillis.size() - 1)
              + " ms, heap after GC "
              + heapMib
              + " MiB");
    }
  }
}
