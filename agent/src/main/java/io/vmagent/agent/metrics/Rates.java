package io.vmagent.agent.metrics;

/**
 * Per-second rates from two readings of a monotonic counter. A rate is null rather than wrong:
 * no previous reading, a counter that went backwards (the VM or the device restarted and the
 * counter began again at zero), or a non-positive interval all give null.
 */
public final class Rates {
  private Rates() {}

  /**
   * Rate of a counter between two readings; negative readings mean "not reported".
   *
   * @return units per second, or null when it cannot be computed honestly
   */
  public static Double perSecond(long previous, long current, double seconds) {
    if (previous < 0 || current < 0 || current < previous || !(seconds > 0)) {
      return null;
    }
    return (current - previous) / seconds;
  }

  /** Share of {@code capacity} used, as a percentage clamped to [0, 100]; null if undefined. */
  public static Double percent(double used, double capacity) {
    if (!(capacity > 0) || used < 0) {
      return null;
    }
    return Math.min(100.0, used / capacity * 100.0);
  }
}
