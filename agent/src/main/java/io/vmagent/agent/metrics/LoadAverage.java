package io.vmagent.agent.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Run-queue load averages over one, five and fifteen minutes.
 *
 * @param load1m one-minute load average
 * @param load5m five-minute load average
 * @param load15m fifteen-minute load average
 */
public record LoadAverage(
    @JsonProperty("load_1m") double load1m,
    @JsonProperty("load_5m") double load5m,
    @JsonProperty("load_15m") double load15m)
    implements Part {

  @Override
  public void expose(MetricSink out) {
    out.gauge("vmagent_host_load1", "1-minute load average", null, load1m);
    out.gauge("vmagent_host_load5", "5-minute load average", null, load5m);
    out.gauge("vmagent_host_load15", "15-minute load average", null, load15m);
  }

  @Override
  public void print(PrintWriter out) {
    out.printf(Locale.ROOT, "Load      %.2f %.2f %.2f%n", load1m, load5m, load15m);
  }
}
