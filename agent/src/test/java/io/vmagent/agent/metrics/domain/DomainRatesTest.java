package io.vmagent.agent.metrics.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.agent.metrics.DomainMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;

class DomainRatesTest {
  private static final long SECOND = 1_000_000_000L;
  private static final int HOST_CPUS = 16;

  // Rates are computed from samples alone; the connection is never used by toMetrics.
  private final DomainCollector collector =
      new DomainCollector(work -> work.run((Connect) null), HOST_CPUS);

  @Test
  void firstSightOfADomainHasNoRates() {
    DomainMetrics d = only(collector.toMetrics(List.of(sample("a", 1, 5 * SECOND, 1000)), 0));

    assertThat(d.cpuPercent()).isNaN();
    assertThat(d.hostCpuPercent()).isNaN();
    assertThat(d.disks().get(0).readBytesPerSecond()).isNaN();
    assertThat(d.interfaces().get(0).rxBytesPerSecond()).isNaN();
    assertThat(d.uptimeSeconds()).isZero();
  }

  @Test
  void ratesCoverTheIntervalBetweenSamples() {
    collector.toMetrics(List.of(sample("a", 1, 5 * SECOND, 1000)), 0);
    DomainMetrics d =
        only(collector.toMetrics(List.of(sample("a", 1, 6 * SECOND, 3000)), 2 * SECOND));

    // one CPU-second in two seconds on two vCPUs
    assertThat(d.cpuPercent()).isEqualTo(25.0);
    assertThat(d.hostCpuPercent()).isEqualTo(100.0 / 2 / HOST_CPUS);
    assertThat(d.disks().get(0).readBytesPerSecond()).isEqualTo(1000.0);
    assertThat(d.disks().get(0).writeRequestsPerSecond()).isEqualTo(1000.0);
    assertThat(d.interfaces().get(0).rxBytesPerSecond()).isEqualTo(1000.0);
    assertThat(d.interfaces().get(0).txDropsPerSecond()).isEqualTo(1000.0);
    assertThat(d.uptimeSeconds()).isEqualTo(2.0);
  }

  @Test
  void counterThatWentBackwardsGivesNoRate() {
    collector.toMetrics(List.of(sample("a", 1, 5 * SECOND, 9000)), 0);
    DomainMetrics d = only(collector.toMetrics(List.of(sample("a", 1, 4 * SECOND, 100)), SECOND));

    assertThat(d.cpuPercent()).isNaN();
    assertThat(d.disks().get(0).readBytesPerSecond()).isNaN();
    assertThat(d.interfaces().get(0).rxBytesPerSecond()).isNaN();
    assertThat(d.disks().get(0).readBytes()).isEqualTo(100);
  }

  @Test
  void restartedDomainStartsOverEvenIfCountersGrew() {
    collector.toMetrics(List.of(sample("a", 1, 5 * SECOND, 1000)), 0);
    // new hypervisor id: counters restarted from zero and happened to pass the old values
    DomainMetrics d =
        only(collector.toMetrics(List.of(sample("a", 7, 50 * SECOND, 90_000)), SECOND));

    assertThat(d.cpuPercent()).isNaN();
    assertThat(d.disks().get(0).readBytesPerSecond()).isNaN();
    assertThat(d.uptimeSeconds()).isZero();
  }

  @Test
  void vanishedDomainIsForgottenAndGetsNoRateWhenItReturns() {
    collector.toMetrics(List.of(sample("a", 1, 5 * SECOND, 1000), sample("b", 2, 0, 0)), 0);
    List<DomainMetrics> without = collector.toMetrics(List.of(sample("b", 2, SECOND, 10)), SECOND);
    assertThat(without).extracting(DomainMetrics::name).containsExactly("b");

    DomainMetrics back =
        collector
            .toMetrics(
                List.of(sample("a", 1, 6 * SECOND, 2000), sample("b", 2, 2 * SECOND, 20)),
                2 * SECOND)
            .get(0);
    assertThat(back.name()).isEqualTo("a");
    assertThat(back.cpuPercent()).isNaN();
    assertThat(back.disks().get(0).readBytesPerSecond()).isNaN();
  }

  @Test
  void hotPluggedDeviceHasNoRateButOthersDo() {
    collector.toMetrics(List.of(sample("a", 1, 5 * SECOND, 1000)), 0);
    DomainSample later = sample("a", 1, 6 * SECOND, 2000);
    DomainSample.DeviceCounters added = later.disk(1);
    added.name = "vdb";
    added.values[DomainSample.DeviceCounters.RD_BYTES] = 500;

    DomainMetrics d = only(collector.toMetrics(List.of(later), SECOND));

    assertThat(d.disks().get(0).readBytesPerSecond()).isEqualTo(1000.0);
    assertThat(d.disks().get(1).device()).isEqualTo("vdb");
    assertThat(d.disks().get(1).readBytesPerSecond()).isNaN();
  }

  @Test
  void cpuShareNeverExceedsOneHundredPercent() {
    collector.toMetrics(List.of(sample("a", 1, 0, 0)), 0);
    // more CPU time than the vCPUs can give (clock skew between host and hypervisor)
    DomainMetrics d = only(collector.toMetrics(List.of(sample("a", 1, 10 * SECOND, 0)), SECOND));

    assertThat(d.cpuPercent()).isEqualTo(100.0);
    assertThat(d.hostCpuPercent()).isEqualTo(100.0 * 10 / HOST_CPUS);
  }

  @Test
  void shutOffDomainHasNoRatesAndNoUptime() {
    collector.toMetrics(List.of(sample("a", 1, 5 * SECOND, 1000)), 0);
    DomainSample off = sample("a", -1, 5 * SECOND, 1000);
    off.state = 5;
    off.reason = 2;

    DomainMetrics d = only(collector.toMetrics(List.of(off), SECOND));

    assertThat(d.state()).isEqualTo("shut_off");
    assertThat(d.stateReason()).isEqualTo("destroyed");
    assertThat(d.id()).isNull();
    assertThat(d.cpuPercent()).isNaN();
    assertThat(d.uptimeSeconds()).isNaN();
  }

  private static DomainSample sample(String name, int id, long cpuNanos, long counter) {
    DomainSample s = new DomainSample();
    s.name = name;
    s.uuid = "uuid-" + name;
    s.id = id;
    s.state = 1;
    s.reason = 1;
    s.vcpus = 2;
    s.cpuTimeNanos = cpuNanos;
    s.memoryMaxKib = 1024;
    s.memoryCurrentKib = 512;
    DomainSample.DeviceCounters disk = s.disk(0);
    disk.name = "vda";
    java.util.Arrays.fill(disk.values, 0, 4, counter);
    DomainSample.DeviceCounters nic = s.networkInterface(0);
    nic.name = "vnet0";
    java.util.Arrays.fill(nic.values, counter);
    return s;
  }

  private static DomainMetrics only(List<DomainMetrics> domains) {
    assertThat(domains).hasSize(1);
    return domains.get(0);
  }
}
