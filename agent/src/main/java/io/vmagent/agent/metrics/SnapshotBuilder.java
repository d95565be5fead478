package io.vmagent.agent.metrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Accumulates the parts of one snapshot while its collectors run; one per collection. */
public final class SnapshotBuilder {
  private final Instant collectedAt;
  private HostFacts host;
  private final SystemMetrics.Builder system = new SystemMetrics.Builder();
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

  /** Where the system collectors put their parts. */
  public SystemMetrics.Builder system() {
    return system;
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
        system.build(),
        domains,
        List.copyOf(statuses));
  }
}
