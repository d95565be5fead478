package io.vmagent.agent.metrics.prometheus;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.vmagent.agent.metrics.CollectorStatus;
import io.vmagent.agent.metrics.MetricsSnapshot;
import io.vmagent.agent.metrics.domain.DomainMetrics;
import io.vmagent.agent.metrics.system.DiskIo;
import io.vmagent.agent.metrics.system.FileSystemUsage;
import io.vmagent.agent.metrics.system.HostFacts;
import io.vmagent.agent.metrics.system.NetworkIo;
import io.vmagent.agent.metrics.system.SystemMetrics;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Exposes the latest {@link MetricsSnapshot} to Prometheus: counters as counters (Prometheus
 * computes rates itself, so the snapshot's precomputed rates are not exported), levels as gauges.
 * Names follow Prometheus conventions and resemble the common libvirt exporters' ({@code
 * vmagent_domain_cpu_seconds_total{domain,uuid}}); the full list is in docs/metrics.md.
 */
public final class SnapshotMetrics implements MultiCollector {
  private final Supplier<MetricsSnapshot> latest;

  /**
   * @param latest the snapshot to expose at scrape time; may return null before the first one
   */
  public SnapshotMetrics(Supplier<MetricsSnapshot> latest) {
    this.latest = Objects.requireNonNull(latest, "latest == null");
  }

  @Override
  public MetricSnapshots collect() {
    MetricsSnapshot snapshot = latest.get();
    Families f = new Families();
    if (snapshot != null) {
      collectors(snapshot, f);
      host(snapshot.host(), f);
      system(snapshot.system(), f);
      for (DomainMetrics d : snapshot.domains()) {
        domain(d, f);
      }
    }
    return f.build();
  }

  private static void collectors(MetricsSnapshot snapshot, Families f) {
    for (CollectorStatus c : snapshot.collectors()) {
      Labels labels = Labels.of("collector", c.name());
      f.gauge(
          "vmagent_collector_duration_seconds",
          "Time the collector took in the last collection",
          Unit.SECONDS,
          c.durationSeconds(),
          labels);
      f.gauge(
          "vmagent_collector_success",
          "Whether the collector succeeded in the last collection",
          null,
          c.success() ? 1 : 0,
          labels);
    }
    f.gauge(
        "vmagent_collection_timestamp_seconds",
        "When the exposed snapshot was collected",
        Unit.SECONDS,
        snapshot.collectedAt().toEpochMilli() / 1000.0,
        Labels.EMPTY);
  }

  private static void host(HostFacts host, Families f) {
    if (host == null) {
      return;
    }
    f.gauge(
        "vmagent_host_boot_time_seconds",
        "When the host booted, seconds since the epoch",
        Unit.SECONDS,
        host.bootTime().getEpochSecond(),
        Labels.EMPTY);
    f.gauge(
        "vmagent_host_uptime_seconds",
        "Seconds since the host booted",
        Unit.SECONDS,
        host.uptimeSeconds(),
        Labels.EMPTY);
  }

  private static void system(SystemMetrics s, Families f) {
    if (s.cpu() != null) {
      f.gauge(
          "vmagent_host_cpu_usage_percent",
          "Busy share of all logical CPUs over the last " + "collection interval, 0-100",
          null,
          s.cpu().usagePercent(),
          Labels.EMPTY);
      f.gauge(
          "vmagent_host_cpu_logical", "Logical CPUs", null, s.cpu().logicalCores(), Labels.EMPTY);
    }
    if (s.load() != null) {
      f.gauge("vmagent_host_load1", "1-minute load average", null, s.load().load1m(), Labels.EMPTY);
      f.gauge("vmagent_host_load5", "5-minute load average", null, s.load().load5m(), Labels.EMPTY);
      f.gauge(
          "vmagent_host_load15", "15-minute load average", null, s.load().load15m(), Labels.EMPTY);
    }
    if (s.memory() != null) {
      f.gauge(
          "vmagent_host_memory_total_bytes",
          "Physical memory",
          Unit.BYTES,
          s.memory().totalBytes(),
          Labels.EMPTY);
      f.gauge(
          "vmagent_host_memory_available_bytes",
          "Memory available without swapping",
          Unit.BYTES,
          s.memory().availableBytes(),
          Labels.EMPTY);
      f.gauge(
          "vmagent_host_swap_total_bytes",
          "Swap space",
          Unit.BYTES,
          s.swap().totalBytes(),
          Labels.EMPTY);
      f.gauge(
          "vmagent_host_swap_used_bytes",
          "Swap in use",
          Unit.BYTES,
          s.swap().usedBytes(),
          Labels.EMPTY);
    }
    if (s.fileSystems() != null) {
      for (FileSystemUsage fs : s.fileSystems()) {
        Labels labels =
            Labels.of("device", fs.device(), "fstype", fs.type(), "mountpoint", fs.mountPoint());
        f.gauge(
            "vmagent_host_filesystem_size_bytes",
            "File system size",
            Unit.BYTES,
            fs.totalBytes(),
            labels);
        f.gauge(
            "vmagent_host_filesystem_avail_bytes",
            "Space unprivileged users may still use",
            Unit.BYTES,
            fs.availableBytes(),
            labels);
      }
    }
    if (s.disks() != null) {
      for (DiskIo d : s.disks()) {
        Labels labels = Labels.of("device", d.device());
        f.counter("vmagent_host_disk_read_bytes", "Bytes read", Unit.BYTES, d.readBytes(), labels);
        f.counter(
            "vmagent_host_disk_written_bytes", "Bytes written", Unit.BYTES, d.writeBytes(), labels);
        f.counter(
            "vmagent_host_disk_reads_completed",
            "Reads completed",
            null,
            d.readOperations(),
            labels);
        f.counter(
            "vmagent_host_disk_writes_completed",
            "Writes completed",
            null,
            d.writeOperations(),
            labels);
      }
    }
    if (s.network() != null) {
      for (NetworkIo n : s.network()) {
        Labels labels = Labels.of("device", n.name());
        f.counter(
            "vmagent_host_network_receive_bytes",
            "Bytes received",
            Unit.BYTES,
            n.rxBytes(),
            labels);
        f.counter(
            "vmagent_host_network_transmit_bytes", "Bytes sent", Unit.BYTES, n.txBytes(), labels);
        f.counter(
            "vmagent_host_network_receive_packets",
            "Packets received",
            null,
            n.rxPackets(),
            labels);
        f.counter(
            "vmagent_host_network_transmit_packets", "Packets sent", null, n.txPackets(), labels);
        f.counter(
            "vmagent_host_network_receive_errs", "Receive errors", null, n.rxErrors(), labels);
        f.counter(
            "vmagent_host_network_transmit_errs", "Transmit errors", null, n.txErrors(), labels);
        f.counter(
            "vmagent_host_network_receive_drop",
            "Received packets dropped",
            null,
            n.rxDrops(),
            labels);
        f.counter(
            "vmagent_host_network_transmit_drop",
            "Outgoing packets dropped",
            null,
            n.txDrops(),
            labels);
      }
    }
  }

  private static void domain(DomainMetrics d, Families f) {
    Labels vm = Labels.of("domain", d.name(), "uuid", d.uuid());
    f.gauge(
        "vmagent_domain_info",
        "Always 1; the domain's state and its reason as labels",
        null,
        1,
        Labels.of(
            "domain",
            d.name(),
            "uuid",
            d.uuid(),
            "state",
            String.valueOf(d.state()),
            "reason",
            String.valueOf(d.stateReason())));
    f.gauge(
        "vmagent_domain_running",
        "1 while the domain is running or paused, else 0",
        null,
        d.id() == null ? 0 : 1,
        vm);
    f.gauge("vmagent_domain_vcpus", "Virtual CPUs", null, d.vcpus(), vm);
    f.counter(
        "vmagent_domain_cpu_seconds",
        "CPU time the domain used",
        Unit.SECONDS,
        d.cpuTimeSeconds(),
        vm);
    f.gauge(
        "vmagent_domain_memory_max_bytes",
        "Memory the domain may use at most",
        Unit.BYTES,
        d.memoryMaxBytes(),
        vm);
    f.gauge(
        "vmagent_domain_memory_current_bytes",
        "Memory assigned now (balloon size)",
        Unit.BYTES,
        d.memoryCurrentBytes(),
        vm);
    f.gauge(
        "vmagent_domain_balloon_unused_bytes",
        "Memory the guest leaves unused",
        Unit.BYTES,
        d.balloon().unusedBytes(),
        vm);
    f.gauge(
        "vmagent_domain_balloon_available_bytes",
        "Memory the guest sees as total",
        Unit.BYTES,
        d.balloon().availableBytes(),
        vm);
    f.gauge(
        "vmagent_domain_balloon_usable_bytes",
        "Memory the guest can use without swapping",
        Unit.BYTES,
        d.balloon().usableBytes(),
        vm);
    f.gauge(
        "vmagent_domain_balloon_rss_bytes",
        "Resident memory of the VM's process on the host",
        Unit.BYTES,
        d.balloon().rssBytes(),
        vm);
    f.gauge(
        "vmagent_domain_uptime_seconds",
        "Seconds since the agent first saw the domain " + "running under its current id",
        Unit.SECONDS,
        d.uptimeSeconds(),
        vm);
    for (DomainMetrics.Disk disk : d.disks()) {
      Labels labels = Labels.of("device", disk.device(), "domain", d.name(), "uuid", d.uuid());
      f.counter(
          "vmagent_domain_block_read_bytes",
          "Bytes read from the disk",
          Unit.BYTES,
          disk.readBytes(),
          labels);
      f.counter(
          "vmagent_domain_block_write_bytes",
          "Bytes written to the disk",
          Unit.BYTES,
          disk.writeBytes(),
          labels);
      f.counter(
          "vmagent_domain_block_read_requests", "Read requests", null, disk.readRequests(), labels);
      f.counter(
          "vmagent_domain_block_write_requests",
          "Write requests",
          null,
          disk.writeRequests(),
          labels);
    }
    for (DomainMetrics.NetworkInterface nic : d.interfaces()) {
      Labels labels = Labels.of("device", nic.device(), "domain", d.name(), "uuid", d.uuid());
      f.counter(
          "vmagent_domain_interface_receive_bytes",
          "Bytes received by the guest",
          Unit.BYTES,
          nic.rxBytes(),
          labels);
      f.counter(
          "vmagent_domain_interface_transmit_bytes",
          "Bytes sent by the guest",
          Unit.BYTES,
          nic.txBytes(),
          labels);
      f.counter(
          "vmagent_domain_interface_receive_packets",
          "Packets received",
          null,
          nic.rxPackets(),
          labels);
      f.counter(
          "vmagent_domain_interface_transmit_packets",
          "Packets sent",
          null,
          nic.txPackets(),
          labels);
      f.counter(
          "vmagent_domain_interface_receive_errors",
          "Receive errors",
          null,
          nic.rxErrors(),
          labels);
      f.counter(
          "vmagent_domain_interface_transmit_errors",
          "Transmit errors",
          null,
          nic.txErrors(),
          labels);
      f.counter(
          "vmagent_domain_interface_receive_drops", "Receive drops", null, nic.rxDrops(), labels);
      f.counter(
          "vmagent_domain_interface_transmit_drops", "Transmit drops", null, nic.txDrops(), labels);
    }
  }
}
