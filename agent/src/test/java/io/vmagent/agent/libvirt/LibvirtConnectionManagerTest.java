package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.testing.TestDriverNodeXml;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LibvirtConnectionManagerTest {
  private LibvirtConnectionManager manager;

  @AfterEach
  void closeManager() {
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void connectsAndRunsCallsOnTheLiveConnection() {
    manager = TestHost.connect();

    assertThat(manager.state()).isEqualTo(ConnectionState.CONNECTED);
    int count = manager.withConnection("count", c -> c.numOfDefinedDomains() + c.numOfDomains());
    assertThat(count).isEqualTo(8);
    assertThat(manager.lastError()).isNull();
  }

  @Test
  void unreachableDaemonLeavesTheManagerDegradedAndCallsFailWithUnavailable() {
    manager =
        new LibvirtConnectionManager(
            "qemu:///system?socket=/nonexistent/vmagent-test/libvirt-sock",
            Duration.ofSeconds(5),
            2,
            Duration.ofMillis(50),
            Duration.ofMillis(200));

    assertThat(manager.start()).isEqualTo(ConnectionState.DEGRADED);
    assertThat(manager.lastError()).contains("/nonexistent/vmagent-test/libvirt-sock");
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> manager.withConnection("list", c -> c.numOfDomains()))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.LIBVIRT_UNAVAILABLE))
        .withMessageContaining("reconnecting");
  }

  @Test
  void anOutageLogsOneWarningThenDebugWhileRetryingAndOneInfoWithItsLengthWhenBack(
      @TempDir Path dir) throws Exception {
    // The test driver reads its node file when a connection opens: missing, every attempt fails
    // as an unreachable daemon's would; written, the next attempt connects.
    Path node = dir.resolve("node.xml");
    Logger logger = (Logger) LoggerFactory.getLogger(LibvirtConnectionManager.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Level level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logger.addAppender(lines);
    try {
      manager =
          new LibvirtConnectionManager(
              "test://" + node,
              Duration.ofSeconds(5),
              2,
              Duration.ofMillis(20),
              Duration.ofMillis(50));
      assertThat(manager.start()).isEqualTo(ConnectionState.DEGRADED);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> lines.list.stream().filter(e -> e.getLevel() == Level.DEBUG).count() >= 3);
      TestDriverNodeXml.write(node, 1);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> manager.state() == ConnectionState.CONNECTED);
    } finally {
      logger.detachAppender(lines);
      logger.setLevel(level);
    }

    List<ILoggingEvent> warnings =
        lines.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getFormattedMessage()).startsWith("cannot connect to libvirt at");
    assertThat(
            lines.list.stream()
                .filter(e -> e.getFormattedMessage().startsWith("still cannot connect"))
                .map(ILoggingEvent::getLevel)
                .toList())
        .hasSizeGreaterThanOrEqualTo(3)
        .containsOnly(Level.DEBUG);
    assertThat(lines.list.stream().filter(e -> e.getLevel() == Level.INFO).toList())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getFormattedMessage())
                    .matches(
                        "connected to libvirt at .* again after .* without it \\(\\d+"
                            + " attempts\\)"));
  }

  @Test
  void libvirtErrorsKeepTheirMessageAndGetAStableCode() {
    manager = TestHost.connect();

    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> manager.withConnection("lookup", c -> c.domainLookupByName("absent")))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.VM_NOT_FOUND))
        .withMessageContaining("lookup: Domain not found");
    assertThat(manager.state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void aHungCallTimesOutAloneWhileOtherCallsGoThrough() throws Exception {
    manager = TestHost.connect();
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      // The test driver never hangs, so the hang is a blocked callback: the one fault a real
      // libvirt cannot produce on demand here.
      Future<Object> hung =
          callers.submit(
              () ->
                  manager.withConnection(
                      "hung call",
                      Duration.ofMillis(300),
                      c -> {
                        block(release);
                        return null;
                      }));
      long started = System.nanoTime();
      Integer count = manager.withConnection("quick call", c -> c.numOfDomains());
      long quickMillis = (System.nanoTime() - started) / 1_000_000;

      assertThat(count).isEqualTo(5);
      assertThat(quickMillis).isLessThan(300);
      assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
          .isThrownBy(() -> hung.get(5, TimeUnit.SECONDS))
          .havingCause()
          .isInstanceOf(VmOperationException.class)
          .satisfies(
              e -> assertThat(((VmOperationException) e).code()).isEqualTo(ErrorCode.TIMEOUT))
          .withMessageContaining("hung call");
    } finally {
      release.countDown();
      callers.shutdownNow();
    }
  }

  @Test
  void whenEveryWorkerIsStuckNewCallsFailFastInsteadOfQueueingForever() {
    manager =
        new LibvirtConnectionManager(
            TestHost.uri(), Duration.ofSeconds(5), 1, Duration.ofMillis(50), Duration.ofMillis(50));
    manager.start();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    try {
      // One call blocks the single worker, 16 more fill its queue (a blocked callback again).
      Thread stuck =
          new Thread(
              () ->
                  manager.withConnection(
                      "stuck",
                      Duration.ofSeconds(10),
                      c -> {
                        entered.countDown();
                        block(release);
                        return null;
                      }),
              "stuck-caller");
      stuck.setDaemon(true);
      stuck.start();
      block(entered);
      for (int i = 0; i < 16; i++) {
        assertThatExceptionOfType(VmOperationException.class)
            .isThrownBy(
                () ->
                    manager.withConnection(
                        "queued",
                        Duration.ofMillis(1),
                        c -> {
                          block(release);
                          return null;
                        }));
      }
      assertThatExceptionOfType(VmOperationException.class)
          .isThrownBy(() -> manager.withConnection("one more", c -> c.numOfDomains()))
          .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.LIBVIRT_UNAVAILABLE))
          .withMessageContaining("busy");
    } finally {
      release.countDown();
    }
  }

  @Test
  void lifecycleEventsReachSubscribers() {
    manager = TestHost.connect();
    List<VmLifecycleEvent> events = new CopyOnWriteArrayList<>();
    manager.subscribe(events::add);

    manager.withConnection("start idle-01", c -> c.domainLookupByName("idle-01").create());
    manager.withConnection(
        "pause idle-01",
        c -> {
          c.domainLookupByName("idle-01").suspend();
          return null;
        });

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(events)
                    .extracting(VmLifecycleEvent::vm, VmLifecycleEvent::type)
                    .containsSubsequence(
                        org.assertj.core.groups.Tuple.tuple("idle-01", "started"),
                        org.assertj.core.groups.Tuple.tuple("idle-01", "suspended")));
    assertThat(events.get(0).uuid()).isEqualTo("00000008-aaaa-4bbb-8ccc-000000000008");
    assertThat(events.get(0).detail()).isEqualTo("booted");
  }

  @Test
  void closedManagerRefusesCalls() {
    manager = TestHost.connect();
    manager.close();

    assertThat(manager.state()).isEqualTo(ConnectionState.CLOSED);
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> manager.withConnection("list", c -> c.numOfDomains()))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.LIBVIRT_UNAVAILABLE))
        .withMessageContaining("closed");
  }

  private static void block(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void rejectsNonsenseSettings() {
    assertThatExceptionOfType(IllegalArgumentException.class)
        .isThrownBy(
            () ->
                new LibvirtConnectionManager(
                    "", Duration.ofSeconds(1), 1, Duration.ofMillis(1), Duration.ofMillis(1)));
    assertThatExceptionOfType(IllegalArgumentException.class)
        .isThrownBy(
            () ->
                new LibvirtConnectionManager(
                    "test:///default",
                    Duration.ZERO,
                    1,
                    Duration.ofMillis(1),
                    Duration.ofMillis(1)));
    assertThatExceptionOfType(IllegalArgumentException.class)
        .isThrownBy(
            () ->
                new LibvirtConnectionManager(
                    "test:///default",
                    Duration.ofSeconds(1),
                    0,
                    Duration.ofMillis(1),
                    Duration.ofMillis(1)));
  }
}
