package io.vmagent.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One series of a {@link MetricsHistory}: per step, the average and the maximum of the values the
 * samples of that step held; null where none held one.
 *
 * @param name what is measured, e.g. {@code cpu_percent}
 * @param unit its unit: {@code percent}, {@code bytes}, {@code bytes_per_second} or {@code load}
 * @param avg the average of each step
 * @param max the maximum of each step
 */
public record MetricsSeries(String name, String unit, List<Double> avg, List<Double> max) {
  /** Copies the lists, nulls included (an empty step is a null, not a missing entry). */
  public MetricsSeries {
    avg = withNulls(avg);
    max = withNulls(max);
  }

  private static List<Double> withNulls(List<Double> values) {
    return values == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(values));
  }
}
