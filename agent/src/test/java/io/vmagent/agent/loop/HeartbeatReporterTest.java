package io.vmagent.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatRequest;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeartbeatReporterTest {
  @Test
  void verificationOffIsAWarningInEveryHeartbeatAndTheLastOneSaysGoingOffline() throws Exception {
    String uri = "test://" + Path.of(getClass().getResource("/daemon/node.xml").toURI());
    try (LibvirtConnectionManager libvirt =
        new LibvirtConnectionManager(
            uri, Duration.ofSeconds(5), 1, Duration.ofMillis(50), Duration.ofMillis(500))) {
      libvirt.start();
      HeartbeatReporter reporter =
          new HeartbeatReporter(
              libvirt, Instant.now(), false, List.of(), 30, () -> 7, () -> "2.0.0", List::of, null);

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
    try (LibvirtConnectionManager libvirt =
        new LibvirtConnectionManager(
            "test:///no/such/node.xml",
            Duration.ofSeconds(5),
            1,
            Duration.ofMillis(50),
            Duration.ofMillis(500))) {
      libvirt.start();
      HeartbeatReporter reporter =
          new HeartbeatReporter(
              libvirt, Instant.now(), true, List.of(), 30, () -> 0, () -> null, List::of, null);

      HeartbeatRequest heartbeat = reporter.build(false);

      assertThat(heartbeat.status()).isEqualTo(HealthStatus.DEGRADED);
      assertThat(heartbeat.reasons()).anyMatch(r -> r.startsWith("libvirt unreachable"));
      assertThat(heartbeat.libvirt().reachable()).isFalse();
      assertThat(heartbeat.vms()).isNull();
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
}
