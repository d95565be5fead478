package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vmagent.backend.service.AgentService;
import io.vmagent.backend.service.OfflineWatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Going offline and coming back are each logged once, for operators reading the log. */
class OfflineLogTest {
  @TempDir Path dir;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeEach
  void capture() {
    log.start();
    ((Logger) LoggerFactory.getLogger(OfflineWatch.class)).addAppender(log);
    ((Logger) LoggerFactory.getLogger(AgentService.class)).addAppender(log);
  }

  @AfterEach
  void release() {
    ((Logger) LoggerFactory.getLogger(OfflineWatch.class)).detachAppender(log);
    ((Logger) LoggerFactory.getLogger(AgentService.class)).detachAppender(log);
  }

  private List<String> lines(String fragment) {
    synchronized (log) { // the lock the appender appends under
      return log.list.stream()
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains(fragment))
          .toList();
    }
  }

  /** A backend whose agents are offline after a second without a heartbeat. */
  private RunningBackend start() throws Exception {
    return VmBackend.builder()
        .dataDir(dir)
        .listen("127.0.0.1", 0)
        .defaultHeartbeatInterval(Duration.ofSeconds(1))
        .build()
        .start();
  }

  @Test
  void agentGoingOfflineIsLoggedOnceAndItsReturnToo() throws Exception {
    try (RunningBackend backend = start()) {
      ContractClient client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
      TestAgent agent = new TestAgent(client, "host-a");
      agent.register(backend.createBootstrapToken(false, null), 1);
      agent.heartbeat();

      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !lines("agent host-a is offline").isEmpty());
      Thread.sleep(2_500);
      assertThat(lines("agent host-a is offline")).hasSize(1);

      // A loaded machine can let the first heartbeat come after the offline threshold too: the
      // return counted is the one after the offline line.
      int returnsBefore = lines("agent host-a is online again").size();
      agent.heartbeat();
      assertThat(lines("agent host-a is online again")).hasSize(returnsBefore + 1);
      assertThat(client.violations()).isEmpty();
    }
  }

  @Test
  void aCleanStopIsLoggedOnceAtInfoAndNotAgainAsOffline() throws Exception {
    try (RunningBackend backend = start()) {
      ContractClient client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
      String token = backend.createBootstrapToken(false, null);
      TestAgent stopping = new TestAgent(client, "host-s");
      stopping.register(token, 1);
      TestAgent silent = new TestAgent(client, "host-q");
      silent.register(token, 1);
      stopping.heartbeat();
      silent.heartbeat();
      stopping.stoppingHeartbeat();

      // The agent that went silent is announced; by then the stopped one would have been too.
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !lines("agent host-q is offline").isEmpty());
      Thread.sleep(2_500);
      assertThat(lines("agent host-s")).hasSize(1);
      assertThat(lines("agent host-s is shutting down")).hasSize(1);
      synchronized (log) {
        assertThat(log.list)
            .filteredOn(e -> e.getFormattedMessage().contains("host-s"))
            .allMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.INFO);
      }
    }
  }
}
