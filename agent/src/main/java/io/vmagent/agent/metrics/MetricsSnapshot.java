package io.vmagent.agent.metrics;

import io.vmagent.agent.metrics.MetricSink.Unit;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/**
 * Everything the agent measured at one instant: the host, its system figures and every domain.
 * Field by field in {@code docs/metrics.md}; serialised with snake_case names by {@link
 * MetricsJson}. A part whose collector failed is null (system parts) or empty (domains), and the
 * failure is in {@link #collectors()}.
 *
 * @param schemaVersion version of this layout; bumped on any incompatible change
 * @param collectedAt when the collection started
 * @param host host facts, uptime and boot time
 * @param system CPU, load, memory, swap, file systems, disk and network I/O
 * @param domains one entry per libvirt domain, sorted by name
 * @param collectors duration and outcome of each collector
 */
public record MetricsSnapshot(
    int schemaVersion,
    Instant collectedAt,
    HostFacts host,
    SystemMetrics system,
    List<DomainMetrics> domains,
    List<CollectorStatus> collectors) {

  /**
   * Current {@link #schemaVersion()}. 2: domain states spelled as the operations spell them ({@code
   * shut_off}, not {@code shutoff}), and a domain's uptime counted from its QEMU process's start
   * (with {@code uptime_estimated}) rather than from the agent's first sight.
   */
  public static final int SCHEMA_VERSION = 2;

  /** Writes every known figure of this snapshot to {@code out}. */
  public void expose(MetricSink out) {
    for (CollectorStatus collector : collectors) {
      collector.expose(out);
    }
    out.gauge(
        "vmagent_collection_timestamp_seconds",
        "When the exposed snapshot was collected",
        Unit.SECONDS,
        collectedAt.toEpochMilli() / 1000.0);
    if (host != null) {
      host.expose(out);
    }
    system.expose(out);
    for (DomainMetrics domain : domains) {
      domain.expose(out);
    }
  }

  void printFailures(PrintWriter out) {
    for (CollectorStatus collector : collectors) {
      collector.print(out);
    }
  }
}
