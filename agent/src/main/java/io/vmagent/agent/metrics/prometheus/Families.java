package io.vmagent.agent.metrics.prometheus;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vmagent.agent.metrics.MetricSink;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gathers data points into metric families by name while a snapshot is translated, so each family
 * is declared once (one HELP and TYPE line) whatever the number of domains or devices. Unknown
 * figures (null, NaN, or the snapshot's -1) are skipped: absent, not zero. Every figure exported is
 * a size, a count, a duration or a ratio, so none is legitimately negative.
 */
final class Families implements MetricSink {
  private final Map<String, CounterSnapshot.Builder> counters;
  private final Map<String, GaugeSnapshot.Builder> gauges;
  private final Labels labels;

  Families() {
    this(new LinkedHashMap<>(), new LinkedHashMap<>(), Labels.EMPTY);
  }

  private Families(
      Map<String, CounterSnapshot.Builder> counters,
      Map<String, GaugeSnapshot.Builder> gauges,
      Labels labels) {
    this.counters = counters;
    this.gauges = gauges;
    this.labels = labels;
  }

  @Override
  public MetricSink labelled(String... namesAndValues) {
    return new Families(counters, gauges, labels.merge(Labels.of(namesAndValues)));
  }

  @Override
  public void counter(String name, String help, Unit unit, Number value) {
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

  @Override
  public void gauge(String name, String help, Unit unit, Number value) {
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
    if (unit == null) {
      return builder;
    }
    return builder.unit(
        switch (unit) {
          case BYTES -> io.prometheus.metrics.model.snapshots.Unit.BYTES;
          case SECONDS -> io.prometheus.metrics.model.snapshots.Unit.SECONDS;
        });
  }
}
