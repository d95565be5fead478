package io.vmagent.agent.metrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Accumulates the parts of one snapshot while its collectors run; one per collection. */
public final class SnapshotBuilder {
  private final Instant collectedAt;
  private HostFacts host;
  private CpuMetrics cpu;
  private LoadAverage load;
  private MemoryMetrics memory;
  private SwapMetrics swap;
  private List<FileSystemUsage> fileSystems;
  private List<DiskIo> disks;
  private List<NetworkIo> network;
  private List<DomainMetrics> domains = List.of();
  private final List<CollectorStatus> statuses = new ArrayList<>();

  SnapshotBuilder(Instant collectedAt) {
    this.collectedAt = collectedAt;
  }

  public Instant collectedAt() {
    return collectedAt;
  }

  public void host(HostFacts host) {
    this.host = host;
  }

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

  public void domains(List<DomainMetrics> domains) {
    this.domains = List.copyOf(domains);
  }

  void status(CollectorStatus status) {
    statuses.add(status);
  }

  MetricsSnapshot build() {
    return new MetricsSnapshot(
        MetricsSnapshot.SCHEMA_VERSION,
        collectedAt,
        host,
        new SystemMetrics(cpu, load, memory, swap, fileSystems, disks, network),
        domains,
        List.copyOf(statuses));
  }
}
