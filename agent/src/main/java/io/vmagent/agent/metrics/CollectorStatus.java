package io.vmagent.agent.metrics;

import io.vmagent.agent.metrics.MetricSink.Unit;
import io.vmagent.protocol.text.Printable;
import java.io.PrintWriter;

/**
 * Outcome of one collector in one collection.
 *
 * @param name the collector's name
 * @param success whether it filled its part
 * @param durationSeconds wall time it took
 * @param error why it failed, null on success
 */
public record CollectorStatus(String name, boolean success, double durationSeconds, String error)
    implements Part {

  @Override
  public void expose(MetricSink out) {
    MetricSink collector = out.labelled("collector", name);
    collector.gauge(
        "vmagent_collector_duration_seconds",
        "Time the collector took in the last collection",
        Unit.SECONDS,
        durationSeconds);
    collector.gauge(
        "vmagent_collector_success",
        "Whether the collector succeeded in the last collection",
        null,
        success ? 1 : 0);
  }

  /** A line for a failed collector, nothing for one that succeeded. */
  @Override
  public void print(PrintWriter out) {
    if (!success) {
      out.printf("%n(collector %s failed: %s)%n", name, Printable.escape(error));
    }
  }
}
