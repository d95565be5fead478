package io.vmagent.agent.metrics.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.agent.metrics.CpuMetrics;
import io.vmagent.agent.metrics.FileSystemUsage;
import io.vmagent.agent.metrics.HostFacts;
import io.vmagent.agent.metrics.LoadAverage;
import io.vmagent.agent.metrics.MemoryMetrics;
import io.vmagent.agent.metrics.MetricsSampler;
import io.vmagent.agent.metrics.MetricsSnapshot;
import io.vmagent.agent.metrics.NetworkIo;
import io.vmagent.agent.metrics.SwapMetrics;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

/** The host collectors on this very machine, through OSHI: every field present and plausible. */
class SystemCollectorsTest {
  private static MetricsSnapshot first;
  private static MetricsSnapshot second;

  @BeforeAll
  static void collectTwice() throws Exception {
    MetricsSampler sampler =
        new MetricsSampler(new SystemCollectors(new SystemInfo()).create(), Clock.systemUTC());
    first = sampler.collect();
    Thread.sleep(300);
    second = sampler.collect();
  }

  @Test
  void everyCollectorSucceedsAndIsTimed() {
    assertThat(second.collectors())
        .extracting(c -> c.name())
        .containsExactly("host", "cpu", "loadavg", "memory", "filesystem", "diskio", "network");
    assertThat(second.collectors())
        .allSatisfy(
            c -> {
              assertThat(c.success()).as(c.name() + ": " + c.error()).isTrue();
              assertThat(c.durationSeconds()).isBetween(0.0, 5.0);
            });
  }

  @Test
  void hostFactsDescribeThisMachine() {
    HostFacts host = second.host();
    assertThat(host.hostname()).isNotBlank();
    assertThat(host.os()).isNotBlank();
    assertThat(host.kernel()).isEqualTo(System.getProperty("os.version"));
    assertThat(host.architecture()).isEqualTo(System.getProperty("os.arch"));
    assertThat(host.cpuModel()).isNotBlank();
    assertThat(host.virtualization().kvmDevicePresent())
        .isEqualTo(java.nio.file.Files.exists(java.nio.file.Path.of("/dev/kvm")));
    assertThat(host.uptimeSeconds()).isPositive();
    long jvmUptimeSeconds = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
    assertThat(host.uptimeSeconds()).isGreaterThanOrEqualTo(jvmUptimeSeconds);
    assertThat(host.bootTime())
        .isBefore(Instant.now())
        .isCloseTo(
            Instant.now().minusSeconds(host.uptimeSeconds()),
            org.assertj.core.api.Assertions.within(Duration.ofSeconds(5)));
  }

  @Test
  void cpuUsageNeedsTwoSamplesAndStaysWithinBounds() {
    assertThat(first.system().cpu().usagePercent()).isNull();
    CpuMetrics cpu = second.system().cpu();
    int logical = Runtime.getRuntime().availableProcessors();
    assertThat(cpu.logicalCores()).isGreaterThanOrEqualTo(logical);
    assertThat(cpu.physicalCores()).isBetween(1, cpu.logicalCores());
    assertThat(cpu.usagePercent()).isBetween(0.0, 100.0);
    assertThat(cpu.perCpuPercent())
        .hasSize(cpu.logicalCores())
        .allSatisfy(p -> assertThat(p).isBetween(0.0, 100.0));
    if (cpu.frequencyHz() != null) {
      assertThat(cpu.frequencyHz()).isBetween(100_000_000L, 10_000_000_000L);
    }
  }

  @Test
  void loadMemoryAndSwapArePlausible() {
    LoadAverage load = second.system().load();
    assertThat(load.load1m()).isGreaterThanOrEqualTo(0.0);
    assertThat(load.load5m()).isGreaterThanOrEqualTo(0.0);
    assertThat(load.load15m()).isGreaterThanOrEqualTo(0.0);

    MemoryMetrics memory = second.system().memory();
    assertThat(memory.totalBytes()).isGreaterThan(Runtime.getRuntime().maxMemory() / 4);
    assertThat(memory.availableBytes()).isBetween(1L, memory.totalBytes());
    assertThat(memory.usedBytes()).isEqualTo(memory.totalBytes() - memory.availableBytes());
    assertThat(memory.usedPercent())
        .isCloseTo(
            100.0 * memory.usedBytes() / memory.totalBytes(),
            org.assertj.core.api.Assertions.within(1e-9));

    SwapMetrics swap = second.system().swap();
    assertThat(swap.usedBytes()).isBetween(0L, swap.totalBytes());
    assertThat(swap.usedPercent()).isBetween(0.0, 100.0);
  }

  @Test
  void fileSystemsAreRealOnesWithConsistentSpace() {
    assertThat(second.system().fileSystems()).isNotEmpty();
    assertThat(second.system().fileSystems())
        .extracting(FileSystemUsage::type)
        .doesNotContain("proc", "sysfs", "tmpfs", "devtmpfs", "cgroup2");
    assertThat(second.system().fileSystems())
        .anySatisfy(fs -> assertThat(fs.mountPoint()).isEqualTo("/"))
        .allSatisfy(
            fs -> {
              assertThat(fs.totalBytes()).isPositive();
              assertThat(fs.usedBytes()).isBetween(0L, fs.totalBytes());
              assertThat(fs.availableBytes()).isBetween(0L, fs.totalBytes());
              assertThat(fs.usedPercent()).isBetween(0.0, 100.0);
            });
  }

  @Test
  void diskAndNetworkCountersHaveRatesOnTheSecondSample() {
    assertThat(first.system().network()).allSatisfy(n -> assertThat(n.rxBytesPerSecond()).isNaN());
    assertThat(second.system().network())
        .anySatisfy(n -> assertThat(n.name()).isEqualTo("lo"))
        .allSatisfy(
            n -> {
              assertThat(n.rxBytes()).isNotNegative();
              assertThat(n.rxErrors()).isNotNegative();
              assertThat(n.rxDrops()).isNotNegative();
              assertThat(n.txDrops()).isNotNegative();
              assertThat(n.rxBytesPerSecond()).isNotNaN().isNotNegative();
              assertThat(n.txPacketsPerSecond()).isNotNaN().isNotNegative();
              assertThat(n.txDropsPerSecond()).isNotNaN().isNotNegative();
            });
    assertThat(second.system().disks())
        .allSatisfy(
            d -> {
              assertThat(d.device()).doesNotStartWith("/dev/");
              assertThat(d.readBytes()).isNotNegative();
              assertThat(d.writeOperations()).isNotNegative();
              assertThat(d.readBytesPerSecond()).isNotNaN().isNotNegative();
              assertThat(d.writeOperationsPerSecond()).isNotNaN().isNotNegative();
            });
  }

  @Test
  void ignoredInterfacesAreLeftOut() throws Exception {
    NetworkCollector collector =
        new NetworkCollector(
            new SystemInfo().getHardware(),
            java.nio.file.Path.of("/sys/class/net"),
            java.util.regex.Pattern.compile("lo"));
    MetricsSnapshot snapshot =
        new MetricsSampler(java.util.List.of(collector), Clock.systemUTC()).collect();

    assertThat(snapshot.system().network())
        .extracting(NetworkIo::name)
        .isNotEmpty()
        .doesNotContain("lo");
  }

  @Test
  void interfaceCountersAgreeWithOshiAndOnlyGrow() {
    oshi.hardware.NetworkIF loBefore =
        new SystemInfo()
            .getHardware().getNetworkIFs(true).stream()
                .filter(n -> n.getName().equals("lo"))
                .findFirst()
                .orElseThrow();
    NetworkIo lo =
        second.system().network().stream()
            .filter(n -> n.name().equals("lo"))
            .findFirst()
            .orElseThrow();
    NetworkIo loLater =
        new MetricsSampler(
                java.util.List.of(
                    new NetworkCollector(
                        new SystemInfo().getHardware(), java.nio.file.Path.of("/sys/class/net"))),
                Clock.systemUTC())
            .collect().system().network().stream()
                .filter(n -> n.name().equals("lo"))
                .findFirst()
                .orElseThrow();
    assertThat(loLater.rxBytes()).isGreaterThanOrEqualTo(loBefore.getBytesRecv());
    assertThat(loLater.txPackets()).isGreaterThanOrEqualTo(loBefore.getPacketsSent());
    assertThat(loLater.rxBytes()).isGreaterThanOrEqualTo(lo.rxBytes());
  }

  @Test
  void sysfsCounterReadsOneDecimalOrNothing(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    SysfsCounter counter = new SysfsCounter();
    java.nio.file.Path good =
        java.nio.file.Files.writeString(dir.resolve("good"), "1234567890123\n");
    java.nio.file.Path bad = java.nio.file.Files.writeString(dir.resolve("bad"), "12 34\n");
    java.nio.file.Path empty = java.nio.file.Files.writeString(dir.resolve("empty"), "");

    assertThat(counter.read(good)).isEqualTo(1234567890123L);
    assertThat(counter.read(bad)).isEqualTo(-1);
    assertThat(counter.read(empty)).isEqualTo(-1);
    assertThat(counter.read(dir.resolve("missing"))).isEqualTo(-1);
    assertThat(counter.read(good)).as("buffer reused").isEqualTo(1234567890123L);
  }

  @Test
  void guestTapDevicesAreRecognisedByLibvirtsNaming() {
    assertThat(NetworkCollector.GUEST_TAPS.matcher("vnet12").matches()).isTrue();
    assertThat(NetworkCollector.GUEST_TAPS.matcher("macvtap0").matches()).isTrue();
    assertThat(NetworkCollector.GUEST_TAPS.matcher("virbr0").matches()).isFalse();
    assertThat(NetworkCollector.GUEST_TAPS.matcher("eth0").matches()).isFalse();
  }

  @Test
  void virtualizationFlagIsFoundAsAWholeWord() {
    assertThat(HostCollector.virtualizationFlag(java.util.List.of("flags : fpu vme svm sse")))
        .isEqualTo("svm");
    assertThat(HostCollector.virtualizationFlag(java.util.List.of("flags\t: vmx fpu")))
        .isEqualTo("vmx");
    assertThat(HostCollector.virtualizationFlag(java.util.List.of("flags : fpu vmxx svmlike")))
        .isNull();
  }
}
