package io.vmagent.simulator;

import java.util.Arrays;

/**
 * Every latency of one request type, in microseconds, kept exactly up to a cap so percentiles are
 * exact; beyond the cap values still count towards the count and the maximum.
 */
final class LatencyLog {
  private final int cap;
  private long[] values = new long[1024];
  private int size;
  private long count;
  private long max;

  LatencyLog(int cap) {
    if (cap < 1) {
      throw new IllegalArgumentException("cap must be positive, got " + cap);
    }
    this.cap = cap;
  }

  synchronized void add(long micros) {
    count++;
    max = Math.max(max, micros);
    if (size == cap) {
      return;
    }
    if (size == values.length) {
      values = Arrays.copyOf(values, Math.min(cap, values.length * 2));
    }
    values[size++] = micros;
  }

  synchronized long count() {
    return count;
  }

  synchronized LatencySummary summary(double windowSeconds, long errors) {
    Percentiles p = Percentiles.of(Arrays.copyOf(values, size));
    return new LatencySummary(
        count,
        errors,
        windowSeconds > 0 ? count / windowSeconds : 0.0,
        millis(p.percentile(50)),
        millis(p.percentile(95)),
        millis(p.percentile(99)),
        millis(max),
        size < count);
  }

  private static double millis(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }
}
