package io.vmagent.agent.metrics;

import static io.vmagent.agent.metrics.MetricsTable.bytes;
import static io.vmagent.agent.metrics.MetricsTable.percent;

import io.vmagent.agent.metrics.MetricSink.Unit;
import java.io.PrintWriter;

/**
 * Physical memory.
 *
 * @param totalBytes installed memory visible to the kernel
 * @param availableBytes memory available to new work without swapping (MemAvailable)
 * @param usedBytes total minus available
 * @param usedPercent used share of total, 0-100
 */
public record MemoryMetrics(
    long totalBytes, long availableBytes, long usedBytes, double usedPercent) implements Part {

  @Override
  public void expose(MetricSink out) {
    out.gauge("vmagent_host_memory_total_bytes", "Physical memory", Unit.BYTES, totalBytes);
    out.gauge(
        "vmagent_host_memory_available_bytes",
        "Memory available without swapping",
        Unit.BYTES,
        availableBytes);
  }

  @Override
  public void print(PrintWriter out) {
    out.printf(
        "Memory    %s used of %s (%s), %s available%n",
        bytes(usedBytes), bytes(totalBytes), percent(usedPercent), bytes(availableBytes));
  }
}
