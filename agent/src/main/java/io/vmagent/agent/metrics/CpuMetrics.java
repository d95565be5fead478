package io.vmagent.agent.metrics;

import static io.vmagent.agent.metrics.MetricsTable.percent;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Host CPU figures. Percentages cover the interval since the previous collection and are null on
 * the first one.
 *
 * @param usagePercent busy share of all logical CPUs, 0-100
 * @param perCpuPercent busy share of each logical CPU, 0-100, in CPU order
 * @param frequencyHz mean current frequency of the logical CPUs, null when not exposed
 * @param maxFrequencyHz highest frequency the CPU reports, null when not exposed
 * @param physicalCores physical cores
 * @param logicalCores logical CPUs (hardware threads)
 */
public record CpuMetrics(
    Double usagePercent,
    List<Double> perCpuPercent,
    Long frequencyHz,
    Long maxFrequencyHz,
    int physicalCores,
    int logicalCores)
    implements Part {

  @Override
  public void expose(MetricSink out) {
    out.gauge(
        "vmagent_host_cpu_usage_percent",
        "Busy share of all logical CPUs over the last collection interval, 0-100",
        null,
        usagePercent);
    out.gauge("vmagent_host_cpu_logical", "Logical CPUs", null, logicalCores);
  }

  @Override
  public void print(PrintWriter out) {
    out.printf(
        "Usage     %s of %d logical CPUs (%d cores)%s%n",
        percent(usagePercent),
        logicalCores,
        physicalCores,
        frequencyHz == null ? "" : String.format(Locale.ROOT, ", %.0f MHz", frequencyHz / 1e6));
  }
}
