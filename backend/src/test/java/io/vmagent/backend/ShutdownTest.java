package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.protocol.CommandBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping the backend does not wait out the agents' long polls. */
class ShutdownTest {
  @TempDir Path dir;

  @Test
  void stoppingEndsWaitingLongPollsAtOnceAndRemovesTheEndpointFile() throws Exception {
    RunningBackend backend =
        VmBackend.builder().dataDir(dir).listen("127.0.0.1", 0).build().start();
    assertThat(dir.resolve(RunningBackend.ENDPOINT_FILE)).exists();
    ContractClient client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
    TestAgent agent = new TestAgent(client, "host-a");
    agent.register(backend.createBootstrapToken(false, null));
    CompletableFuture<CommandBatch> poll = CompletableFuture.supplyAsync(() -> agent.poll(30));
    Thread.sleep(500);

    long started = System.nanoTime();
    backend.close();
    long closeMs = (System.nanoTime() - started) / 1_000_000;

    CommandBatch answer = poll.get(5, TimeUnit.SECONDS);
    assertThat(answer.commands()).isEmpty();
    assertThat(closeMs).isLessThan(5_000);
    assertThat(Files.exists(dir.resolve(RunningBackend.ENDPOINT_FILE))).isFalse();
    assertThat(client.violations()).isEmpty();
  }
}
