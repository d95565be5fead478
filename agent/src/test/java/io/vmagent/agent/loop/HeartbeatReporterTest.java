package io.vmagent.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.agent.backend.ClockOffset;
import io.vmagent.agent.config.ResourceThresholds;
import io.vmagent.agent.health.HostResources;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatRequest;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeartbeatReporterTest {
  private String daemonNode() throws Exception {
    return "test://" + Path.of(getClass().getResource("/daemon/node.xml").toURI());
  }

  private static LibvirtConnectionManager connect(String uri) {
    LibvirtConnectionManager libvirt =
        new LibvirtConnectionManager(
            uri, Duration.ofSeconds(5), 1, Duration.ofMillis(50), Duration.ofMillis(500));
    libvirt.start();
    return libvirt;
  }

  @Test
  void verificationOffIsAWarningInEveryHeartbeatAndTheLastOneSaysGoingOffline() throws Exception {
    try (LibvirtConnectionManager libvirt = connect(daemonNode())) {
      HeartbeatReporter reporter =
          new HeartbeatReporter(
              libvirt,
              Instant.now(),
              false,
              List.of(),
              30,
              () -> 7,
              () -> "2.0.0",
              List::of,
              List::of,
              unmeasured(),
              null);

      HeartbeatRequest regular = reporter.build(false);
      HeartbeatRequest last = reporter.build(true);

      assertThat(regular.status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(regular.sslVerify()).isFalse();
      assertThat(regular.warnings()).anyMatch(w -> w.contains("AGENT_SSL_VERIFY=false"));
      assertThat(regular.spoolDepth()).isEqualTo(7);
      assertThat(regular.newestKnownVersion()).isEqualTo("2.0.0");
      assertThat(regular.libvirt().reachable()).isTrue();
      assertThat(regular.vms())
          .extracting(v -> v.name())
          .containsExactlyInAnyOrder("app-01", "app-02", "spare-01");
      assertThat(last.status()).isEqualTo(HealthStatus.STOPPING);
      assertThat(last.reasons().get(0)).contains("going offline");
      assertThat(last.warnings()).anyMatch(w -> w.contains("AGENT_SSL_VERIFY=false"));
    }
  }

  @Test
  void unreachableLibvirtMakesTheAgentDegradedWithTheReason() throws Exception {
    try (LibvirtConnectionManager libvirt = connect("test:///no/such/node.xml")) {
      HeartbeatReporter reporter =
          new HeartbeatReporter(
              libvirt,
              Instant.now(),
              true,
              List.of(),
              30,
              () -> 0,
              () -> null,
              List::of,
              List::of,
              unmeasured(),
              null);

      HeartbeatRequest heartbeat = reporter.build(false);

      assertThat(heartbeat.status()).isEqualTo(HealthStatus.DEGRADED);
      assertThat(heartbeat.reasons()).anyMatch(r -> r.startsWith("libvirt unreachable"));
      assertThat(heartbeat.libvirt().reachable()).isFalse();
      assertThat(heartbeat.vms()).isNull();
    }
  }

  @Test
  void aResourcePastItsThresholdMakesTheAgentDegradedWithTheReason(@TempDir Path state)
      throws Exception {
    try (LibvirtConnectionManager libvirt = connect(daemonNode())) {
      // No file system is ever 100 % free, so this threshold is always passed.
      HostResources resources =
          new HostResources(
              state,
              new ResourceThresholds(100, 0, 0, 100, 0),
              libvirt,
              HeartbeatReporter.LIBVIRT_DEADLINE);
      HeartbeatReporter reporter =
          new HeartbeatReporter(
              libvirt,
              Instant.now(),
              true,
              List.of(),
              30,
              () -> 0,
              () -> null,
              List::of,
              resources::problems,
              unmeasured(),
              null);

      HeartbeatRequest heartbeat = reporter.build(false);

      assertThat(heartbeat.status()).isEqualTo(HealthStatus.DEGRADED);
      assertThat(heartbeat.reasons())
          .anyMatch(
              r ->
                  r.startsWith("disk_space_low: " + state + " has ")
                      && r.endsWith("(threshold 100%)"));
      assertThat(heartbeat.libvirt().reachable()).isTrue();
    }
  }

  @Test
  void aClockOffBeyondTheMaximumIsReportedAsDegradedUntilTheOffsetIsBack(@TempDir Path dir)
      throws Exception {
    ClockOffset offset = new ClockOffset();
    Path flag = dir.resolve("timesync/synchronized");
    ClockCheck clock = new ClockCheck(offset, Duration.ofSeconds(30), flag);
    try (LibvirtConnectionManager libvirt =
        new LibvirtConnectionManager(
            "test:///default",
            Duration.ofSeconds(5),
            1,
            Duration.ofMillis(50),
            Duration.ofMillis(500))) {
      libvirt.start();
      HeartbeatReporter reporter =
          new HeartbeatReporter(
              libvirt,
              Instant.now(),
              true,
              List.of(),
              30,
              () -> 0,
              () -> null,
              List::of,
              List::of,
              clock,
              null);
      assertThat(reporter.build(false).clockOffsetMs()).isNull();

      // This host's clock 25 minutes ahead: the backend's clock read 1500 s less, 2 ms round trip.
      Instant sent = Instant.now();
      offset.sample(sent.minusSeconds(1500), sent, 2_000_000);
      HeartbeatRequest skewed = reporter.build(false);

      assertThat(skewed.status()).isEqualTo(HealthStatus.DEGRADED);
      assertThat(skewed.reasons())
          .anyMatch(
              r -> r.startsWith("clock offset +1500.0 s") && r.contains("AGENT_CLOCK_OFFSET_MAX"));
      assertThat(skewed.clockOffsetMs()).isBetween(1_499_000L, 1_501_000L);
      assertThat(skewed.clockSynchronized()).isNull();
      Files.createDirectories(flag.getParent());
      assertThat(reporter.build(false).clockSynchronized()).isFalse();
      Files.createFile(flag);
      assertThat(reporter.build(false).clockSynchronized()).isTrue();

      // The clock was put right: the new sample contradicts the old one, which no longer counts.
      Instant again = Instant.now();
      offset.sample(again, again, 2_000_000);
      HeartbeatRequest fixed = reporter.build(false);
      assertThat(fixed.status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(fixed.clockOffsetMs()).isBetween(-1_000L, 1_000L);
    }
  }

  @Test
  void theHeartbeatNamesThePrometheusEndpointOnlyToABackendOfProtocolThree() throws Exception {
    try (LibvirtConnectionManager libvirt =
        new LibvirtConnectionManager(
            "test:///default",
            Duration.ofSeconds(5),
            1,
            Duration.ofMillis(50),
            Duration.ofMillis(500))) {
      libvirt.start();
      HeartbeatReporter reporter =
          new HeartbeatReporter(
              libvirt,
              Instant.now(),
              true,
              List.of(),
              30,
              () -> 0,
              () -> null,
              List::of,
              List::of,
              unmeasured(),
              new InetSocketAddress("0.0.0.0", 9177));

      HeartbeatRequest heartbeat = reporter.build(false);

      assertThat(heartbeat.prometheusEndpoint()).isEqualTo("0.0.0.0:9177");
      assertThat(heartbeat.forProtocol(3)).isEqualTo(heartbeat);
      assertThat(heartbeat.forProtocol(2).prometheusEndpoint()).isNull();
      assertThat(heartbeat.forProtocol(2).vms()).isEqualTo(heartbeat.vms());
    }
  }

  @Test
  void anIpv6EndpointIsBracketedAndAnUnnameableOneIsLeftOut() throws Exception {
    byte[] loopback = new byte[16];
    loopback[15] = 1;
    byte[] linkLocal = loopback.clone();
    linkLocal[0] = (byte) 0xfe;
    linkLocal[1] = (byte) 0x80;
    assertThat(
            HeartbeatReporter.endpoint(
                new InetSocketAddress(InetAddress.getByAddress(loopback), 9177)))
        .isEqualTo("[0:0:0:0:0:0:0:1]:9177");
    // A scoped address (fe80::1%1) cannot be written as the protocol's host:port.
    assertThat(
            HeartbeatReporter.endpoint(
                new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 1), 9177)))
        .isNull();
    assertThat(HeartbeatReporter.endpoint(null)).isNull();
  }

  private static ClockCheck unmeasured() {
    return new ClockCheck(new ClockOffset(), Duration.ofSeconds(30));
  }
}
