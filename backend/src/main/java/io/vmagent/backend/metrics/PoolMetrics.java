package io.vmagent.backend.metrics;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The database pool as HikariCP reports it: connections in use and idle, threads waiting for one,
 * how long getting one took and how long each was held (one transaction, its queries included).
 */
public final class PoolMetrics implements MetricsTrackerFactory {
  private static final double[] BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final PrometheusRegistry registry;
  private final Histogram acquire;
  private final Histogram usage;
  private final Counter timeouts;

  PoolMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    acquire =
        Histogram.builder()
            .name("vm_backend_db_connection_acquire_duration_seconds")
            .help("Time a transaction waited for a pooled database connection")
            .unit(Unit.SECONDS)
            .classicUpperBounds(BUCKETS)
            .classicOnly()
            .register(registry);
    usage =
        Histogram.builder()
            .name("vm_backend_db_transaction_duration_seconds")
            .help("Time a transaction held its database connection, its queries included")
            .unit(Unit.SECONDS)
            .classicUpperBounds(BUCKETS)
            .classicOnly()
            .register(registry);
    timeouts =
        Counter.builder()
            .name("vm_backend_db_connection_timeouts_total")
            .help("Transactions refused because no database connection came free in time")
            .register(registry);
  }

  @Override
  public IMetricsTracker create(String poolName, PoolStats stats) {
    GaugeWithCallback.builder()
        .name("vm_backend_db_pool_connections")
        .help("Pooled database connections, by state")
        .labelNames("state")
        .callback(
            gauge -> {
              gauge.call(stats.getActiveConnections(), "active");
              gauge.call(stats.getIdleConnections(), "idle");
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("vm_backend_db_pool_max_connections")
        .help("The most connections the database pool opens")
        .callback(gauge -> gauge.call(stats.getMaxConnections()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("vm_backend_db_pool_pending_threads")
        .help("Threads waiting for a database connection")
        .callback(gauge -> gauge.call(stats.getPendingThreads()))
        .register(registry);
    return new IMetricsTracker() {
      @Override
      public void recordConnectionAcquiredNanos(long nanos) {
        acquire.observe(Unit.nanosToSeconds(nanos));
      }

      @Override
      public void recordConnectionUsageMillis(long millis) {
        usage.observe(Unit.millisToSeconds(millis));
      }

      @Override
      public void recordConnectionTimeout() {
        timeouts.inc();
      }
    };
  }
}
