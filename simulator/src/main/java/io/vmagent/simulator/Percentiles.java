package io.vmagent.simulator;

import java.util.Arrays;

/** Nearest-rank percentiles over a set of latencies. */
public final class Percentiles {
  private final long[] sorted;

  private Percentiles(long[] sorted) {
    this.sorted = sorted;
  }

  /** Percentiles over these values (copied and sorted; the argument is not changed). */
  public static Percentiles of(long[] values) {
    long[] copy = values.clone();
    Arrays.sort(copy);
    return new Percentiles(copy);
  }

  /** How many values there are. */
  public int count() {
    return sorted.length;
  }

  /**
   * The nearest-rank percentile: the smallest value with at least {@code p} percent of the values
   * at or below it; 0 when there are no values.
   *
   * @param p the percentile, in (0, 100]
   */
  public long percentile(double p) {
    if (!(p > 0.0 && p <= 100.0)) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
    }
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }

  /** The largest value; 0 when there are no values. */
  public long max() {
    return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
  }
}
