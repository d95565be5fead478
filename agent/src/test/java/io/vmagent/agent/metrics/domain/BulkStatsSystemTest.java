package io.vmagent.agent.metrics.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.agent.metrics.DomainMetrics;
import io.vmagent.agent.metrics.MetricsSampler;
import io.vmagent.agent.metrics.MetricsSnapshot;
import io.vmagent.agent.testing.RealHypervisor;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * Against a real libvirt daemon (bin/test starts one and passes its URI in {@code
 * VMAGENT_SYSTEM_LIBVIRT_URI}) with a tiny QEMU VM the test starts: CPU time, balloon and block
 * figures come through the bulk statistics call alone, one libvirt round trip per collection.
 */
class BulkStatsSystemTest {
  private static final String URI_VARIABLE = "VMAGENT_SYSTEM_LIBVIRT_URI";

  @Test
  void runningQemuVmIsCoveredByOneBulkCall() throws Exception {
    String uri = System.getenv(URI_VARIABLE);
    Assumptions.assumeTrue(
        uri != null && !uri.isBlank(),
        URI_VARIABLE + " is not set: no real libvirt daemon for this run (bin/test starts one)");
    try (RealHypervisor hypervisor = RealHypervisor.open()) {
      String name = RealHypervisor.PREFIX + "bulk-stats";
      Domain domain = hypervisor.defineVm(name, hypervisor.acpiGuestDisk(name + ".qcow2"), true);
      domain.create();
      // Booted once the guest prints its banner: the firmware has read the disk by then.
      assertThat(
              RealHypervisor.await(
                  Duration.ofSeconds(30),
                  () ->
                      Files.exists(hypervisor.serialLog(name))
                          && Files.readString(hypervisor.serialLog(name)).contains("tinyguest")))
          .isTrue();
      collectFromARunningVm(uri);
    }
  }

  private static void collectFromARunningVm(String uri) throws Exception {
    Connect connect = new Connect(uri, true);
    try {
      DomainCollector collector = new DomainCollector(ConnectionAccess.of(connect), 2);
      MetricsSampler sampler = new MetricsSampler(List.of(collector), Clock.systemUTC());
      sampler.collect();
      long before = collector.roundTrips().total();
      Thread.sleep(200);
      MetricsSnapshot snapshot = sampler.collect();

      assertThat(collector.roundTrips().total() - before)
          .as("libvirt calls in one collection: the bulk call only")
          .isEqualTo(1);
      List<DomainMetrics> running =
          snapshot.domains().stream().filter(d -> "running".equals(d.state())).toList();
      assertThat(running).as("a running VM on " + uri).isNotEmpty();
      for (DomainMetrics vm : running) {
        assertThat(vm.cpuTimeSeconds()).isPositive();
        assertThat(vm.cpuPercent()).isBetween(0.0, 100.0);
        assertThat(vm.vcpus()).isPositive();
        assertThat(vm.memoryMaxBytes()).isPositive();
        assertThat(vm.memoryCurrentBytes()).isBetween(1L, vm.memoryMaxBytes());
        assertThat(vm.balloon().actualBytes()).isEqualTo(vm.memoryCurrentBytes());
        assertThat(vm.balloon().rssBytes()).isPositive();
        assertThat(vm.disks()).isNotEmpty();
        assertThat(vm.disks())
            .allSatisfy(
                disk -> {
                  // the firmware reads at least the boot sector
                  assertThat(disk.readBytes()).isPositive();
                  assertThat(disk.readRequests()).isPositive();
                  assertThat(disk.readBytesPerSecond()).isNotNaN().isNotNegative();
                });
      }
    } finally {
      connect.close();
    }
  }
}
