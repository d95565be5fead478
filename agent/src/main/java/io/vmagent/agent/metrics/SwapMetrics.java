package io.vmagent.agent.metrics;

import static io.vmagent.agent.metrics.MetricsTable.bytes;
import static io.vmagent.agent.metrics.MetricsTable.percent;

import io.vmagent.agent.metrics.MetricSink.Unit;
import java.io.PrintWriter;

/**
 * Swap space.
 *
 * @param totalBytes configured swap
 * @param usedBytes swap in use
 * @param usedPercent used share of total, 0-100; 0 when there is no swap
 */
public record SwapMetrics(long totalBytes, long usedBytes, double usedPercent) implements Part {

  @Override
  public void expose(MetricSink out) {
    out.gauge("vmagent_host_swap_total_bytes", "Swap space", Unit.BYTES, totalBytes);
    out.gauge("vmagent_host_swap_used_bytes", "Swap in use", Unit.BYTES, usedBytes);
  }

  @Override
  public void print(PrintWriter out) {
    out.printf(
        "Swap      %s used of %s (%s)%n",
        bytes(usedBytes), bytes(totalBytes), percent(usedPercent));
  }
}
