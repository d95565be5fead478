package io.vmagent.agent.metrics;

import java.io.PrintWriter;
import java.util.ArrayList;
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
    for (Part part : parts()) {
      part.expose(out);
    }
  }

  void print(PrintWriter out) {
    for (Part part : parts()) {
      part.print(out);
    }
  }

  /** The parts collected, in the order they are exposed and printed. */
  private List<Part> parts() {
    List<Part> parts = new ArrayList<>(7);
    for (Part part : new Part[] {cpu, load, memory, swap}) {
      if (part != null) {
        parts.add(part);
      }
    }
    if (fileSystems != null) {
      parts.add(Part.table(FileSystemUsage.COLUMNS, fileSystems));
    }
    if (disks != null) {
      parts.add(Part.table(DiskIo.COLUMNS, disks));
    }
    if (network != null) {
      parts.add(Part.table(NetworkIo.COLUMNS, network));
    }
    return parts;
  }

  /** The parts as the system collectors fill them, one collection at a time. */
  public static final class Builder {
    private CpuMetrics cpu;
    private LoadAverage load;
    private MemoryMetrics memory;
    private SwapMetrics swap;
    private List<FileSystemUsage> fileSystems;
    private List<DiskIo> disks;
    private List<NetworkIo> network;

    Builder() {}

    public void cpu(CpuMetrics cpu) {
      this.cpu = cpu;
    }

    public void load(LoadAverage load) {
      this.load = load;
    }

    public void memory(MemoryMetrics memory, SwapMetrics swap) {
      this.memory = memory;
      this.swap = swap;
    }

    public void fileSystems(List<FileSystemUsage> fileSystems) {
      this.fileSystems = List.copyOf(fileSystems);
    }

    public void disks(List<DiskIo> disks) {
      this.disks = List.copyOf(disks);
    }

    public void network(List<NetworkIo> network) {
      this.network = List.copyOf(network);
    }

    SystemMetrics build() {
      return new SystemMetrics(cpu, load, memory, swap, fileSystems, disks, network);
    }
  }
}
