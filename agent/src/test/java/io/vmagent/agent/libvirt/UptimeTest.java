package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.agent.metrics.DomainMetrics;
import io.vmagent.agent.metrics.MetricsSampler;
import io.vmagent.agent.metrics.domain.DomainCollector;
import io.vmagent.agent.metrics.domain.ManagedConnectionAccess;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code info} and the metrics count a VM's uptime from the same start. */
class UptimeTest {
  private LibvirtConnectionManager libvirt;
  private VmOperations ops;

  @BeforeEach
  void connect() {
    libvirt = TestHost.connect();
    ops = new VmOperations(libvirt, Duration.ofSeconds(5));
  }

  @AfterEach
  void close() {
    ops.close();
    libvirt.close();
  }

  @Test
  void metricsTakenLaterCountFromTheStartTheAgentSaw() throws Exception {
    ops.start("idle-01");
    Thread.sleep(1_100);

    DomainMetrics metrics = metricsOf("idle-01");
    VmDetails info = ops.info("idle-01", false);

    assertThat(info.uptimeSource()).isEqualTo("event");
    assertThat(info.uptimeEstimated()).isFalse();
    assertThat(info.uptimeSeconds()).isGreaterThanOrEqualTo(1L);
    assertThat(metrics.uptimeEstimated()).isFalse();
    assertThat(metrics.uptimeSeconds())
        .as("not the collector's own first sight, a moment ago")
        .isGreaterThanOrEqualTo(1.0)
        .isCloseTo(info.uptimeSeconds(), org.assertj.core.data.Offset.offset(1.0));
  }

  @Test
  void aVmNotSeenStartingCountsFromTheFirstSightMarkedAsAnEstimate() throws Exception {
    VmDetails first = ops.info("web-01", false);
    Thread.sleep(1_100);

    DomainMetrics metrics = metricsOf("web-01");
    VmDetails again = ops.info("web-01", false);

    assertThat(first.uptimeSource()).isEqualTo("first_seen");
    assertThat(first.uptimeEstimated()).isTrue();
    assertThat(first.uptimeSeconds()).isBetween(0L, 1L);
    assertThat(again.uptimeSeconds()).isGreaterThanOrEqualTo(1L);
    assertThat(again.startedAt()).isEqualTo(first.startedAt());
    assertThat(metrics.uptimeEstimated()).isTrue();
    assertThat(metrics.uptimeSeconds()).isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void aShutOffVmHasNoUptime() throws Exception {
    assertThat(ops.info("db-01", false).uptimeSeconds()).isNull();
    assertThat(metricsOf("db-01").uptimeSeconds()).isNaN();
    assertThat(metricsOf("db-01").state()).isEqualTo("shut_off");
  }

  /** A fresh collector, as {@code vm-agent metrics} or the agent's metrics loop build one. */
  private DomainMetrics metricsOf(String vm) {
    DomainCollector collector =
        new DomainCollector(
            new ManagedConnectionAccess(libvirt, Duration.ofSeconds(5)), 4, libvirt.uptime());
    List<DomainMetrics> domains =
        new MetricsSampler(List.of(collector), Clock.systemUTC()).collect().domains();
    return domains.stream().filter(d -> d.name().equals(vm)).findFirst().orElseThrow();
  }
}
