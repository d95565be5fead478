package io.vmagent.agent.metrics;

/**
 * Per-second rates from two readings of a monotonic counter. A rate is NaN (null in JSON) rather
 * than wrong: no previous reading, a counter that went backwards (the VM or the device restarted
 * and the counter began again at zero), or a non-positive interval all give NaN.
 *
 * <p>Snapshot records use {@code double} with NaN for "unknown" and {@code long} with -1 for "not
 * reported" instead of boxed nullable numbers: at hundreds of VMs the boxes were a third of the
 * garbage of a collection. {@link MetricsJson} writes both as JSON null.
 */
public final class Rates {
  private Rates() {}

  /**
   * Rate of a counter between two readings; negative readings mean "not reported".
   *
   * @return units per second, or NaN when it cannot be computed honestly
   */
  public static double perSecond(long previous, long current, double seconds) {
    if (previous < 0 || current < 0 || current < previous || !(seconds > 0)) {
      return Double.NaN;
    }
    return (current - previous) / seconds;
  }

  /** Share of {@code capacity} used, as a percentage clamped to [0, 100]; NaN if undefined. */
  public static double percent(double used, double capacity) {
    if (!(capacity > 0) || !(used >= 0)) {
      return Double.NaN;
    }
    return Math.min(100.0, used / capacity * 100.0);
  }
}
