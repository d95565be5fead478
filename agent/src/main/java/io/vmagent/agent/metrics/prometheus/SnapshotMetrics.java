package io.vmagent.agent.metrics.prometheus;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vmagent.agent.metrics.MetricsSnapshot;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Exposes the latest {@link MetricsSnapshot} to Prometheus: counters as counters (Prometheus
 * computes rates itself, so the snapshot's precomputed rates are not exported), levels as gauges.
 * Each part of the snapshot names its own figures ({@link MetricsSnapshot#expose}); names follow
 * Prometheus conventions and resemble the common libvirt exporters' ({@code
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
    Families families = new Families();
    if (snapshot != null) {
      snapshot.expose(families);
    }
    return families.build();
  }
}
