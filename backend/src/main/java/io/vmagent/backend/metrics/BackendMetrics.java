package io.vmagent.backend.metrics;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The backend's own metrics, served at {@code /metrics}: one registry holding the requests, the
 * fleet, the database pool, the retention sweep and the JVM, written in the Prometheus text format.
 * It is also the one recorder the request path and the database pool report to.
 */
public final class BackendMetrics implements MetricsTrackerFactory {
  /** The media type of {@link #scrape()}. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  /** The route label of a request that matched no route. */
  public static final String UNMATCHED = "unmatched";

  // Up to a minute: a long poll is answered after at most 30 s.
  private static final double[] REQUEST_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  private static final double[] POOL_BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  // The JVM's figures are the process's, whatever number of backends it runs (tests run many);
  // the client keeps every registry it registered them with, so they go in one of their own.
  private static final PrometheusRegistry JVM = jvm();

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  // Requests answered, by route template (never the raw path, so the label set stays as small as
  // the route table), method and status, with their latency and the CPU and heap their handling
  // cost.
  private final Counter requests =
      Counter.builder()
          .name("vm_backend_http_requests_total")
          .help("HTTP requests answered, by route template, method and status")
          .labelNames("route", "method", "status")
          .register(registry);
  private final Histogram latency =
      Histogram.builder()
          .name("vm_backend_http_request_duration_seconds")
          .help("Time from a request's arrival to its answer (a long poll's wait included)")
          .unit(Unit.SECONDS)
          .classicUpperBounds(REQUEST_BUCKETS)
          .classicOnly()
          .labelNames("route", "method")
          .register(registry);
  private final Counter cpu =
      Counter.builder()
          .name("vm_backend_http_request_cpu_seconds_total")
          .help(
              "CPU time of the threads that handled requests, from routing to the answer's"
                  + " write, by route template and method (TLS and HTTP parsing before routing,"
                  + " and a long poll's later answer, not included)")
          .unit(Unit.SECONDS)
          .labelNames("route", "method")
          .register(registry);
  private final Counter allocated =
      Counter.builder()
          .name("vm_backend_http_request_allocated_bytes_total")
          .help(
              "Heap the threads that handled requests allocated, from routing to the answer's"
                  + " write, by route template and method (as the CPU counter)")
          .unit(Unit.BYTES)
          .labelNames("route", "method")
          .register(registry);

  // The database pool as HikariCP reports it: how long getting a connection took, how long each
  // was held (one transaction, its queries included), and the gauges registered with the pool.
  private final Histogram acquire =
      Histogram.builder()
          .name("vm_backend_db_connection_acquire_duration_seconds")
          .help("Time a transaction waited for a pooled database connection")
          .unit(Unit.SECONDS)
          .classicUpperBounds(POOL_BUCKETS)
          .classicOnly()
          .register(registry);
  private final Histogram usage =
      Histogram.builder()
          .name("vm_backend_db_transaction_duration_seconds")
          .help("Time a transaction held its database connection, its queries included")
          .unit(Unit.SECONDS)
          .classicUpperBounds(POOL_BUCKETS)
          .classicOnly()
          .register(registry);
  private final Counter timeouts =
      Counter.builder()
          .name("vm_backend_db_connection_timeouts_total")
          .help("Transactions refused because no database connection came free in time")
          .register(registry);

  private final Counter pruned =
      Counter.builder()
          .name("vm_backend_retention_pruned_rows_total")
          .help("Rows the retention sweep deleted, by kind")
          .labelNames("kind")
          .register(registry);

  /**
   * The request, pool and retention metrics (and the JVM's); the fleet's are added later, the
   * pool's gauges when the pool is made.
   */
  public BackendMetrics() {}

  private static PrometheusRegistry jvm() {
    PrometheusRegistry jvm = new PrometheusRegistry();
    JvmMetrics.builder().register(jvm);
    return jvm;
  }

  /** Records the CPU time a request's handling took on its thread and the bytes it allocated. */
  public void handled(String route, String method, long cpuNanos, long allocatedBytes) {
    cpu.labelValues(route, method).inc(Unit.nanosToSeconds(cpuNanos));
    allocated.labelValues(route, method).inc(allocatedBytes);
  }

  /** Records one answered request that took {@code nanos}. */
  public void answered(String route, String method, int status, long nanos) {
    requests.labelValues(route, method, Integer.toString(status)).inc();
    latency.labelValues(route, method).observe(Unit.nanosToSeconds(nanos));
  }

  /** The database pool's tracker: HikariCP calls it once, when the pool is made. */
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

  /** Counts {@code rows} pruned of {@code kind} by the retention sweep. */
  public void pruned(String kind, int rows) {
    pruned.labelValues(kind).inc(rows);
  }

  /** Adds the fleet's gauges, read from {@code fleet} at each scrape. */
  public void watch(FleetMetrics.Source fleet) {
    FleetMetrics.register(registry, fleet);
  }

  /** Every metric now, in the Prometheus text format (version 0.0.4). */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      MetricSnapshots.Builder all = MetricSnapshots.builder();
      registry.scrape().forEach(all::metricSnapshot);
      JVM.scrape().forEach(all::metricSnapshot);
      writer.write(out, all.build());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the metrics", e);
    }
    return out.toByteArray();
  }
}
