package io.vmagent.backend.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmagent.backend.service.MetricSeries.Gauge;
import io.vmagent.backend.service.MetricSeries.Rate;
import io.vmagent.backend.service.MetricSeries.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The values of every {@link MetricSeries} one snapshot holds, rates computed against the sample
 * before it. The snapshot's shape belongs to the agent, so whatever is missing, null or not a
 * number is left out rather than refused: the sample itself is stored all the same.
 */
final class SnapshotFigures {
  /** The longest VM name the history keeps, as the VM inventory does. */
  static final int MAX_VM_NAME = 255;

  /** A snapshot and when it was taken. */
  record Sample(Instant at, JsonNode snapshot) {}

  /**
   * One value of one series.
   *
   * @param vm the VM's name, {@code ""} for the host
   */
  record Figure(String vm, MetricSeries series, double value) {}

  private SnapshotFigures() {}

  /** The figures of {@code current}; rates need {@code previous}, which may be null. */
  static List<Figure> of(Sample current, Sample previous) {
    List<Figure> figures = new ArrayList<>();
    double seconds =
        previous == null ? 0 : Duration.between(previous.at(), current.at()).toNanos() / 1e9;
    JsonNode before = previous == null ? null : previous.snapshot();
    add(figures, "", Scope.HOST, current.snapshot(), before, seconds);
    Map<String, JsonNode> domainsBefore = before == null ? Map.of() : domains(before);
    Set<String> seen = new HashSet<>();
    for (JsonNode domain : current.snapshot().path("domains")) {
      String name = text(domain, "name");
      if (name == null || name.isEmpty() || name.length() > MAX_VM_NAME || !seen.add(name)) {
        continue;
      }
      add(figures, name, Scope.VM, domain, domainsBefore.get(name), seconds);
    }
    return figures;
  }

  private static void add(
      List<Figure> figures,
      String vm,
      Scope scope,
      JsonNode node,
      JsonNode before,
      double seconds) {
    for (MetricSeries series : scope.series()) {
      Double value;
      if (series.source instanceof Gauge gauge) {
        value = number(node.at(gauge.path()));
      } else if (series.source instanceof Rate rate && before != null && seconds > 0) {
        value = rate(rate, node, before, restarted(scope, node, before), seconds);
      } else {
        value = null;
      }
      if (value != null) {
        figures.add(new Figure(vm, series, value));
      }
    }
  }

  /**
   * The counters' increase per second, summed over the devices both samples name. A counter that
   * went back, or any counter after a restart, began again from zero within the interval, so its
   * increase is its current value (as Prometheus's {@code rate} counts a reset). Null when no
   * device has a reading in both.
   */
  private static Double rate(
      Rate rate, JsonNode node, JsonNode before, boolean restarted, double seconds) {
    Map<String, Double> previous = counters(before.at(rate.list()), rate);
    double increase = 0;
    boolean any = false;
    for (Map.Entry<String, Double> counter : counters(node.at(rate.list()), rate).entrySet()) {
      Double then = previous.get(counter.getKey());
      if (then == null) {
        continue;
      }
      double now = counter.getValue();
      increase += restarted || now < then ? now : now - then;
      any = true;
    }
    return any ? increase / seconds : null;
  }

  /**
   * Whether both samples name when their counters began and the two differ; when either does not
   * tell (a collector failed, an older agent), a counter that went back still shows a reset.
   */
  private static boolean restarted(Scope scope, JsonNode node, JsonNode before) {
    JsonNode now = node.at(scope.restart);
    JsonNode then = before.at(scope.restart);
    return known(now) && known(then) && !now.equals(then);
  }

  private static boolean known(JsonNode value) {
    return value.isTextual() || value.isNumber();
  }

  private static Map<String, Double> counters(JsonNode devices, Rate rate) {
    Map<String, Double> counters = new HashMap<>();
    for (JsonNode device : devices) {
      String name = text(device, rate.key());
      Double value = number(device.path(rate.counter()));
      if (name != null && value != null && value >= 0 && rate.counted().test(name)) {
        counters.putIfAbsent(name, value);
      }
    }
    return counters;
  }

  private static Map<String, JsonNode> domains(JsonNode snapshot) {
    Map<String, JsonNode> domains = new HashMap<>();
    for (JsonNode domain : snapshot.path("domains")) {
      String name = text(domain, "name");
      if (name != null) {
        domains.putIfAbsent(name, domain);
      }
    }
    return domains;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? value.textValue() : null;
  }

  private static Double number(JsonNode node) {
    if (!node.isNumber()) {
      return null;
    }
    double value = node.doubleValue();
    return Double.isFinite(value) ? value : null;
  }
}
