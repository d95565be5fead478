package io.vmagent.agent.metrics;

import java.io.PrintWriter;
import java.util.List;

/**
 * The host's own figures; each part is null when its collector failed.
 *
 * @param cpu CPU usage, frequency and core counts
 * @param load load average
 * @param memory physical memory
 * @param swap swap space
 * @param fileSystems usage of each real mounted file system
 * @param disks I/O counters and rates of each block device
 * @param network I/O counters and rates of each network interface
 */
public record SystemMetrics(
    CpuMetrics cpu,
    LoadAverage load,
    MemoryMetrics memory,
    SwapMetrics swap,
    List<FileSystemUsage> fileSystems,
    List<DiskIo> disks,
    List<NetworkIo> network) {

  void expose(MetricSink out) {
    if (cpu != null) {
      cpu.expose(out);
    }
    if (load != null) {
      load.expose(out);
    }
    if (memory != null) {
      memory.expose(out);
    }
    if (swap != null) {
      swap.expose(out);
    }
    for (FileSystemUsage fs : orEmpty(fileSystems)) {
      fs.expose(out);
    }
    for (DiskIo disk : orEmpty(disks)) {
      disk.expose(out);
    }
    for (NetworkIo nic : orEmpty(network)) {
      nic.expose(out);
    }
  }

  void print(PrintWriter out) {
    if (cpu != null) {
      cpu.print(out);
    }
    if (load != null) {
      load.print(out);
    }
    if (memory != null) {
      memory.print(out);
    }
    if (swap != null) {
      swap.print(out);
    }
    if (!orEmpty(fileSystems).isEmpty()) {
      Column.print(FileSystemUsage.COLUMNS, fileSystems, out);
    }
    if (!orEmpty(disks).isEmpty()) {
      Column.print(DiskIo.COLUMNS, disks, out);
    }
    if (!orEmpty(network).isEmpty()) {
      Column.print(NetworkIo.COLUMNS, network, out);
    }
  }

  /** A list part whose collector failed is null. */
  private static <T> List<T> orEmpty(List<T> part) {
    return part == null ? List.of() : part;
  }
}
