package io.vmagent.agent.metrics;

/**
 * One concern of the metrics snapshot (CPU, memory, the domains...). Each collector fills its own
 * part of the snapshot and may fail without stopping the others: {@link MetricsSampler} records its
 * duration and outcome and leaves its part empty.
 */
public interface Collector {
  /** Short stable name, used in the snapshot's collector list and in Prometheus labels. */
  String name();

  /** Fills this collector's part of {@code into}; any exception marks the collector failed. */
  void collect(SnapshotBuilder into) throws Exception;
}
