package io.vmagent.agent.metrics.domain;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vmagent.agent.metrics.DomainMetrics;
import io.vmagent.agent.metrics.MetricsSampler;
import io.vmagent.agent.metrics.MetricsSnapshot;
import io.vmagent.testing.TestDriverNodeXml;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.slf4j.LoggerFactory;

class DomainCollectorTest {
  private static final int DOMAINS = 10;
  private static final int HOST_CPUS = 16;

  @TempDir Path dir;
  private Connect connect;

  @BeforeEach
  void open() throws Exception {
    connect = new Connect(TestDriverNodeXml.write(dir.resolve("node.xml"), DOMAINS), true);
  }

  @AfterEach
  void close() throws Exception {
    connect.close();
  }

  @Test
  void everyDomainOfTheFixtureIsReportedWithItsFigures() {
    DomainCollector collector = new DomainCollector(ConnectionAccess.of(connect), HOST_CPUS);
    MetricsSnapshot snapshot = sampler(collector).collect();

    assertThat(snapshot.collectors())
        .singleElement()
        .satisfies(s -> assertThat(s.success()).isTrue());
    Map<String, DomainMetrics> byName = byName(snapshot.domains());
    assertThat(byName).hasSize(DOMAINS);
    for (int i = 0; i < DOMAINS; i++) {
      DomainMetrics d = byName.get(TestDriverNodeXml.name(i));
      assertThat(d.uuid()).isEqualTo(TestDriverNodeXml.uuid(i));
      assertThat(d.vcpus()).isEqualTo(TestDriverNodeXml.vcpus(i));
      assertThat(d.memoryMaxBytes()).isEqualTo(TestDriverNodeXml.memoryKib(i) * 1024);
      assertThat(d.memoryCurrentBytes()).isEqualTo(TestDriverNodeXml.memoryKib(i) / 2 * 1024);
      assertThat(d.cpuPercent()).as("no rate on the first sample").isNaN();
      if (TestDriverNodeXml.running(i)) {
        assertThat(d.state()).isEqualTo("running");
        // the test driver starts its fixture domains without a reason (as `virsh domstats` shows)
        assertThat(d.stateReason()).isEqualTo("unknown");
        assertThat(d.id()).isPositive();
        assertThat(d.cpuTimeSeconds()).isPositive();
        assertThat(d.uptimeSeconds()).isZero();
        assertThat(d.balloon().unusedBytes()).isPositive();
        assertThat(d.balloon().availableBytes()).isPositive();
        assertThat(d.balloon().usableBytes()).isPositive();
        assertThat(d.balloon().rssBytes()).isPositive();
        assertThat(d.disks()).extracting(DomainMetrics.Disk::device).containsExactly("vda", "vdb");
        assertThat(d.disks())
            .allSatisfy(
                disk -> {
                  assertThat(disk.readBytes()).isPositive();
                  assertThat(disk.writeBytes()).isPositive();
                  assertThat(disk.readRequests()).isPositive();
                  assertThat(disk.writeRequests()).isPositive();
                  assertThat(disk.readBytesPerSecond()).isNaN();
                });
        assertThat(d.interfaces()).hasSize(TestDriverNodeXml.interfaces(i));
        assertThat(d.interfaces())
            .allSatisfy(
                nic -> {
                  assertThat(nic.device()).startsWith("testnet");
                  assertThat(nic.rxBytes()).isPositive();
                  assertThat(nic.txPackets()).isPositive();
                  assertThat(nic.rxDrops()).isNotNegative();
                  assertThat(nic.txErrors()).isNotNegative();
                });
      } else {
        assertThat(d.state()).isEqualTo("shut_off");
        assertThat(d.id()).isNull();
        assertThat(d.uptimeSeconds()).isNaN();
        assertThat(d.disks()).isEmpty();
        assertThat(d.interfaces()).isEmpty();
      }
    }
  }

  @Test
  void secondCollectionGivesRatesWithinBounds() throws Exception {
    DomainCollector collector = new DomainCollector(ConnectionAccess.of(connect), HOST_CPUS);
    MetricsSampler sampler = sampler(collector);
    sampler.collect();
    Thread.sleep(200);
    List<DomainMetrics> second = sampler.collect().domains();

    List<DomainMetrics> running = second.stream().filter(d -> d.id() != null).toList();
    assertThat(running).hasSize(9);
    for (DomainMetrics d : running) {
      // the test driver's CPU time is wall-clock time: one CPU-second per second
      assertThat(d.cpuPercent()).isBetween(100.0 / d.vcpus() * 0.5, 100.0);
      assertThat(d.hostCpuPercent()).isBetween(0.0, 100.0 / HOST_CPUS * 1.5);
      assertThat(d.uptimeSeconds()).isGreaterThanOrEqualTo(0.15);
      assertThat(d.disks())
          .allSatisfy(
              disk -> {
                assertThat(disk.readBytesPerSecond()).isPositive();
                assertThat(disk.writeRequestsPerSecond()).isPositive();
              });
      assertThat(d.interfaces()).allSatisfy(nic -> assertThat(nic.rxBytesPerSecond()).isPositive());
    }
  }

  @Test
  void stoppedAndUndefinedDomainsLeaveNothingBehindInTheNextSample() throws Exception {
    Connect writable = new Connect(TestDriverNodeXml.write(dir.resolve("rw.xml"), DOMAINS), false);
    try {
      DomainCollector collector = new DomainCollector(ConnectionAccess.of(writable), HOST_CPUS);
      MetricsSampler sampler = sampler(collector);
      sampler.collect();
      writable.domainLookupByName(TestDriverNodeXml.name(0)).destroy();
      writable.domainLookupByName(TestDriverNodeXml.name(9)).undefine();

      Map<String, DomainMetrics> after = byName(sampler.collect().domains());

      assertThat(after).hasSize(DOMAINS - 1).doesNotContainKey(TestDriverNodeXml.name(9));
      DomainMetrics stopped = after.get(TestDriverNodeXml.name(0));
      assertThat(stopped.state()).isEqualTo("shut_off");
      assertThat(stopped.stateReason()).isEqualTo("destroyed");
      assertThat(stopped.disks()).isEmpty();
      assertThat(stopped.interfaces()).isEmpty();
      assertThat(stopped.balloon().unusedBytes()).isEqualTo(-1);
      for (int i = 1; i < 9; i++) {
        DomainMetrics d = after.get(TestDriverNodeXml.name(i));
        assertThat(d.uuid()).isEqualTo(TestDriverNodeXml.uuid(i));
        assertThat(d.vcpus()).isEqualTo(TestDriverNodeXml.vcpus(i));
        assertThat(d.interfaces()).hasSize(TestDriverNodeXml.interfaces(i));
        assertThat(d.disks()).hasSize(2);
        assertThat(d.disks().get(0).readBytesPerSecond()).isPositive();
      }
    } finally {
      writable.close();
    }
  }

  @Test
  void fallbackCallsAreCountedAndDeviceNamesAreReadOnce() {
    DomainCollector collector = new DomainCollector(ConnectionAccess.of(connect), HOST_CPUS);
    MetricsSampler sampler = sampler(collector);
    int running = 0;
    int interfaces = 0;
    for (int i = 0; i < DOMAINS; i++) {
      if (TestDriverNodeXml.running(i)) {
        running++;
        interfaces += TestDriverNodeXml.interfaces(i);
      }
    }
    // bulk call + getInfo for every domain + memoryStats, 2 disks and the interfaces per running
    // domain; the first collection also reads each running domain's XML once.
    long perCollection = 1 + DOMAINS + running * 3L + interfaces;

    sampler.collect();
    long first = collector.roundTrips().total();
    sampler.collect();
    long second = collector.roundTrips().total() - first;

    assertThat(first).isEqualTo(perCollection + running);
    assertThat(second).isEqualTo(perCollection);
  }

  @Test
  void missingBulkFiguresAreLoggedAtDebug() {
    Logger logger = (Logger) LoggerFactory.getLogger(DomainStatsReader.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Level before = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logger.addAppender(appender);
    try {
      sampler(new DomainCollector(ConnectionAccess.of(connect), HOST_CPUS)).collect();
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(before);
    }
    assertThat(appender.list)
        .anySatisfy(
            event -> {
              assertThat(event.getLevel()).isEqualTo(Level.DEBUG);
              assertThat(event.getFormattedMessage())
                  .contains("bulk domain statistics lacked figures")
                  .contains("cpu/memory/vcpus for " + DOMAINS);
            });
  }

  @Test
  void closedConnectionFailsTheCollectorOnly() throws Exception {
    Connect other = new Connect("test:///default", true);
    other.close();
    DomainCollector collector = new DomainCollector(ConnectionAccess.of(other), HOST_CPUS);
    MetricsSnapshot snapshot = sampler(collector).collect();

    assertThat(snapshot.domains()).isEmpty();
    assertThat(snapshot.collectors())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.success()).isFalse();
              assertThat(s.error()).contains("closed");
            });
  }

  private static MetricsSampler sampler(DomainCollector collector) {
    return new MetricsSampler(List.of(collector), Clock.systemUTC());
  }

  private static Map<String, DomainMetrics> byName(List<DomainMetrics> domains) {
    return domains.stream().collect(Collectors.toMap(DomainMetrics::name, Function.identity()));
  }
}
