package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.backend.client.TlsTrust;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.ProtocolPaths;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Waiting long polls hold no server thread: more of them than threads leave the server free. */
class LongPollCapacityTest {
  @TempDir Path dir;

  @Test
  void moreWaitingPollsThanServerThreadsStillLeaveRoomForOtherRequests() throws Exception {
    try (RunningBackend backend =
        VmBackend.builder().dataDir(dir).listen("127.0.0.1", 0).httpThreads(16).build().start()) {
      ContractClient client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
      // One poll per agent: an agent may hold only two waiting (Limits.maxWaitingPollsPerAgent).
      String token = backend.createBootstrapToken(false, null);
      List<TestAgent> agents = new ArrayList<>();
      for (int i = 0; i < 48; i++) {
        TestAgent each = new TestAgent(client, "host-" + i);
        each.register(token);
        agents.add(each);
      }
      TestAgent agent = agents.get(0);

      HttpClient http =
          HttpClient.newBuilder()
              .sslContext(TlsTrust.trusting(backend.caCertificatePath()))
              .version(HttpClient.Version.HTTP_1_1)
              .build();
      int polls = 48; // three times the server's 16 threads
      List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
      for (int i = 0; i < polls; i++) {
        TestAgent polling = agents.get(i);
        waiting.add(
            http.sendAsync(
                HttpRequest.newBuilder(
                        backend.baseUrl().resolve(ProtocolPaths.commands(polling.agentId, 12)))
                    .header("Authorization", "Bearer " + polling.accessToken)
                    .timeout(Duration.ofSeconds(60))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(25))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> backend.waitingPolls() == polls);
      int waitingNow = backend.waitingPolls();

      long started = System.nanoTime();
      assertThat(agent.heartbeat().serverTime()).isNotNull();
      long heartbeatMs = (System.nanoTime() - started) / 1_000_000;
      System.out.printf("heartbeat while %d polls wait: %d ms%n", waitingNow, heartbeatMs);
      // Thread-per-poll would hold this heartbeat until the polls' 12 s wait ran out.
      assertThat(heartbeatMs).isLessThan(8_000);

      backend.queueCommand("host-0", "info", Map.of("vm", "web-1"));
      int delivered = 0;
      for (CompletableFuture<HttpResponse<String>> poll : waiting) {
        HttpResponse<String> response = poll.get(60, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        delivered +=
            ContractClient.JSON.readValue(response.body(), CommandBatch.class).commands().size();
      }
      assertThat(delivered).as("the one command went to exactly one poll").isEqualTo(1);
      assertThat(client.violations()).isEmpty();
    }
  }
}
