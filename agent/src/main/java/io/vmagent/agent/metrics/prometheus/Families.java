package io.vmagent.agent.metrics.prometheus;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gathers data points into metric families by name while a snapshot is translated, so each family
 * is declared once (one HELP and TYPE line) whatever the number of domains or devices. Unknown
 * figures (null, NaN, or the snapshot's -1) are skipped: absent, not zero. Every figure exported is
 * a size, a count, a duration or a ratio, so none is legitimately negative.
 */
final class Families {
  private final Map<String, CounterSnapshot.Builder> counters = new LinkedHashMap<>();
  private final Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();

  /**
   * Adds a point to a counter family; {@code name} is without the {@code _total} suffix the
   * exposition adds.
   */
  void counter(String name, String help, Unit unit, Number value, Labels labels) {
    if (unknown(value)) {
      return;
    }
    counters
        .computeIfAbsent(name, n -> unit(CounterSnapshot.builder().name(n).help(help), unit))
        .dataPoint(
            CounterSnapshot.CounterDataPointSnapshot.builder()
                .value(value.doubleValue())
                .labels(labels)
                .build());
  }

  void gauge(String name, String help, Unit unit, Number value, Labels labels) {
    if (unknown(value)) {
      return;
    }
    gauges
        .computeIfAbsent(name, n -> unit(GaugeSnapshot.builder().name(n).help(help), unit))
        .dataPoint(
            GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .value(value.doubleValue())
                .labels(labels)
                .build());
  }

  private static boolean unknown(Number value) {
    return value == null || Double.isNaN(value.doubleValue()) || value.doubleValue() < 0;
  }

  MetricSnapshots build() {
    MetricSnapshots.Builder result = MetricSnapshots.builder();
    for (CounterSnapshot.Builder counter : counters.values()) {
      result.metricSnapshot(counter.build());
    }
    for (GaugeSnapshot.Builder gauge : gauges.values()) {
      result.metricSnapshot(gauge.build());
    }
    return result.build();
  }

  private static <T extends MetricSnapshot.Builder<T>> T unit(T builder, Unit unit) {
    return unit == null ? builder : builder.unit(unit);
  }
}
