package io.vmagent.agent.metrics;

/**
 * Where the parts of a snapshot write their figures for a metrics exposition; {@code
 * prometheus.Families} is the one implementation. A sink leaves out unknown figures (null, NaN and
 * the snapshot's -1): absent, not zero.
 */
public interface MetricSink {
  /** The units a figure's name ends with. */
  enum Unit {
    BYTES,
    SECONDS
  }

  /** A level at the time of the snapshot; {@code unit} null for plain numbers. */
  void gauge(String name, String help, Unit unit, Number value);

  /** A monotonic count; {@code name} without the {@code _total} suffix the exposition adds. */
  void counter(String name, String help, Unit unit, Number value);

  /** This sink with more labels, given as name, value, name, value..., on every figure. */
  MetricSink labelled(String... namesAndValues);
}
