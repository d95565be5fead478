package io.vmagent.agent.metrics;

import io.vmagent.agent.metrics.domain.DomainMetrics;
import io.vmagent.agent.metrics.system.CpuMetrics;
import io.vmagent.agent.metrics.system.DiskIo;
import io.vmagent.agent.metrics.system.FileSystemUsage;
import io.vmagent.agent.metrics.system.HostFacts;
import io.vmagent.agent.metrics.system.NetworkIo;
import io.vmagent.agent.metrics.system.SystemMetrics;
import io.vmagent.protocol.text.Printable;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Renders a snapshot as the readable tables of {@code vm-agent metrics}. Names (VMs, mounts,
 * devices) and error messages are printed through {@link Printable}.
 */
public final class MetricsTable {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private MetricsTable() {}

  /** Host facts and system figures. */
  public static void printSystem(MetricsSnapshot snapshot, PrintWriter out) {
    HostFacts host = snapshot.host();
    if (host != null) {
      out.printf(
          "Host      %s, %s, kernel %s, %s%n",
          Printable.escape(host.hostname()),
          Printable.escape(host.os()),
          Printable.escape(host.kernel()),
          host.architecture());
      out.printf(
          "CPU       %s, virtualization %s%n",
          Printable.escape(host.cpuModel()), virtualization(host));
      out.printf("Uptime    %s (booted %s)%n", duration(host.uptimeSeconds()), host.bootTime());
    }
    SystemMetrics system = snapshot.system();
    CpuMetrics cpu = system.cpu();
    if (cpu != null) {
      out.printf(
          "Usage     %s of %d logical CPUs (%d cores)%s%n",
          percent(cpu.usagePercent()),
          cpu.logicalCores(),
          cpu.physicalCores(),
          cpu.frequencyHz() == null
              ? ""
              : String.format(Locale.ROOT, ", %.0f MHz", cpu.frequencyHz() / 1e6));
    }
    if (system.load() != null) {
      out.printf(
          Locale.ROOT,
          "Load      %.2f %.2f %.2f%n",
          system.load().load1m(),
          system.load().load5m(),
          system.load().load15m());
    }
    if (system.memory() != null) {
      out.printf(
          "Memory    %s used of %s (%s), %s available%n",
          bytes(system.memory().usedBytes()),
          bytes(system.memory().totalBytes()),
          percent(system.memory().usedPercent()),
          bytes(system.memory().availableBytes()));
      out.printf(
          "Swap      %s used of %s (%s)%n",
          bytes(system.swap().usedBytes()),
          bytes(system.swap().totalBytes()),
          percent(system.swap().usedPercent()));
    }
    fileSystems(system.fileSystems(), out);
    disks(system.disks(), out);
    network(system.network(), out);
    failures(snapshot, out);
    out.flush();
  }

  /** One line per domain. */
  public static void printDomains(MetricsSnapshot snapshot, PrintWriter out) {
    out.printf(
        "%n%-24s %-9s %5s %7s %10s %10s %11s %11s %11s %11s %10s%n",
        "VM",
        "STATE",
        "VCPUS",
        "CPU%",
        "MEMORY",
        "RSS",
        "DISK-RD/s",
        "DISK-WR/s",
        "NET-RX/s",
        "NET-TX/s",
        "UPTIME");
    for (DomainMetrics d : snapshot.domains()) {
      double rd = 0;
      double wr = 0;
      double rx = 0;
      double tx = 0;
      boolean diskRates = false;
      boolean netRates = false;
      for (DomainMetrics.Disk disk : d.disks()) {
        if (!Double.isNaN(disk.readBytesPerSecond()) && !Double.isNaN(disk.writeBytesPerSecond())) {
          rd += disk.readBytesPerSecond();
          wr += disk.writeBytesPerSecond();
          diskRates = true;
        }
      }
      for (DomainMetrics.NetworkInterface nic : d.interfaces()) {
        if (!Double.isNaN(nic.rxBytesPerSecond()) && !Double.isNaN(nic.txBytesPerSecond())) {
          rx += nic.rxBytesPerSecond();
          tx += nic.txBytesPerSecond();
          netRates = true;
        }
      }
      out.printf(
          "%-24s %-9s %5s %7s %10s %10s %11s %11s %11s %11s %10s%n",
          Printable.escape(d.name()),
          Printable.escape(d.state()),
          d.vcpus() == null ? "-" : d.vcpus(),
          percent(d.cpuPercent()),
          bytes(d.memoryCurrentBytes()),
          bytes(d.balloon().rssBytes()),
          diskRates ? bytes(rd) : "-",
          diskRates ? bytes(wr) : "-",
          netRates ? bytes(rx) : "-",
          netRates ? bytes(tx) : "-",
          Double.isNaN(d.uptimeSeconds()) ? "-" : duration((long) d.uptimeSeconds()));
    }
    if (snapshot.domains().isEmpty()) {
      out.println("(no domains)");
    }
    failures(snapshot, out);
    out.flush();
  }

  private static void fileSystems(List<FileSystemUsage> fileSystems, PrintWriter out) {
    if (fileSystems == null || fileSystems.isEmpty()) {
      return;
    }
    out.printf(
        "%n%-28s %-8s %10s %10s %10s %6s%n", "MOUNT", "TYPE", "SIZE", "USED", "AVAIL", "USE%");
    for (FileSystemUsage fs : fileSystems) {
      out.printf(
          "%-28s %-8s %10s %10s %10s %6s%n",
          Printable.escape(fs.mountPoint()),
          Printable.escape(fs.type()),
          bytes(fs.totalBytes()),
          bytes(fs.usedBytes()),
          bytes(fs.availableBytes()),
          percent(fs.usedPercent()));
    }
  }

  private static void disks(List<DiskIo> disks, PrintWriter out) {
    if (disks == null || disks.isEmpty()) {
      return;
    }
    out.printf("%n%-16s %11s %11s %9s %9s%n", "DISK", "READ/s", "WRITE/s", "RD-OPS/s", "WR-OPS/s");
    for (DiskIo disk : disks) {
      out.printf(
          "%-16s %11s %11s %9s %9s%n",
          Printable.escape(disk.device()),
          bytes(disk.readBytesPerSecond()),
          bytes(disk.writeBytesPerSecond()),
          number(disk.readOperationsPerSecond()),
          number(disk.writeOperationsPerSecond()));
    }
  }

  private static void network(List<NetworkIo> network, PrintWriter out) {
    if (network == null || network.isEmpty()) {
      return;
    }
    out.printf(
        "%n%-16s %11s %11s %11s %11s %8s %8s%n",
        "INTERFACE", "RX/s", "TX/s", "RX", "TX", "ERRORS", "DROPS");
    for (NetworkIo nic : network) {
      long drops = nic.rxDrops() + Math.max(0, nic.txDrops());
      out.printf(
          "%-16s %11s %11s %11s %11s %8d %8d%n",
          Printable.escape(nic.name()),
          bytes(nic.rxBytesPerSecond()),
          bytes(nic.txBytesPerSecond()),
          bytes(nic.rxBytes()),
          bytes(nic.txBytes()),
          nic.rxErrors() + nic.txErrors(),
          drops);
    }
  }

  private static void failures(MetricsSnapshot snapshot, PrintWriter out) {
    for (CollectorStatus status : snapshot.collectors()) {
      if (!status.success()) {
        out.printf(
            "%n(collector %s failed: %s)%n", status.name(), Printable.escape(status.error()));
      }
    }
  }

  private static String virtualization(HostFacts host) {
    String flag = host.virtualization().cpuFlag();
    String kvm = host.virtualization().kvmDevicePresent() ? "/dev/kvm present" : "no /dev/kvm";
    return (flag == null ? "no vmx/svm flag" : flag) + ", " + kvm;
  }

  static String bytes(Number value) {
    if (value == null || Double.isNaN(value.doubleValue()) || value.doubleValue() < 0) {
      return "-";
    }
    double v = value.doubleValue();
    int unit = 0;
    while (Math.abs(v) >= 1024 && unit < UNITS.length - 1) {
      v /= 1024;
      unit++;
    }
    return unit == 0
        ? String.format(Locale.ROOT, "%.0f %s", v, UNITS[unit])
        : String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
  }

  static String percent(Double value) {
    return value == null || value.isNaN() ? "-" : String.format(Locale.ROOT, "%.1f%%", value);
  }

  private static String number(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.1f", value);
  }

  static String duration(long seconds) {
    long days = seconds / 86400;
    long hours = seconds % 86400 / 3600;
    long minutes = seconds % 3600 / 60;
    if (days > 0) {
      return days + "d " + hours + "h";
    }
    if (hours > 0) {
      return hours + "h " + minutes + "m";
    }
    return minutes > 0 ? minutes + "m " + seconds % 60 + "s" : seconds + "s";
  }
}
