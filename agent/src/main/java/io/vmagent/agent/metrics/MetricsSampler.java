package io.vmagent.agent.metrics;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every collector in turn and assembles one {@link MetricsSnapshot}. A failing collector
 * leaves its part empty; its failure is logged at WARN when it starts failing (DEBUG while it keeps
 * failing, INFO when it recovers) so a host without libvirt does not flood the journal.
 *
 * <p>Collections are serialised: collectors keep the previous sample to compute rates.
 */
public final class MetricsSampler {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsSampler.class);

  private final List<Collector> collectors;
  private final Clock clock;
  private final Map<String, Boolean> lastSuccess = new ConcurrentHashMap<>();
  private volatile MetricsSnapshot latest;

  public MetricsSampler(List<Collector> collectors, Clock clock) {
    this.collectors = List.copyOf(collectors);
    this.clock = clock;
  }

  /** Runs one collection now and returns its snapshot (also kept as {@link #latest()}). */
  public synchronized MetricsSnapshot collect() {
    SnapshotBuilder builder = new SnapshotBuilder(clock.instant());
    for (Collector collector : collectors) {
      long start = System.nanoTime();
      String error = null;
      try {
        collector.collect(builder);
      } catch (Exception | LinkageError e) {
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
        logFailure(collector.name(), e);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (error == null && Boolean.FALSE.equals(lastSuccess.put(collector.name(), true))) {
        LOG.info("metrics collector {} works again", collector.name());
      }
      builder.status(new CollectorStatus(collector.name(), error == null, seconds, error));
    }
    MetricsSnapshot snapshot = builder.build();
    latest = snapshot;
    return snapshot;
  }

  /** The last snapshot collected, or null before the first collection. */
  public MetricsSnapshot latest() {
    return latest;
  }

  private void logFailure(String name, Throwable e) {
    Boolean before = lastSuccess.put(name, false);
    if (before == null || before) {
      LOG.warn("metrics collector {} failed; its figures are left out: {}", name, e.toString());
    } else {
      LOG.debug("metrics collector {} still failing: {}", name, e.toString());
    }
  }
}
