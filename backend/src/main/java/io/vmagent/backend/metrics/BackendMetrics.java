package io.vmagent.backend.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The backend's own metrics, served at {@code /metrics}: one registry holding the requests, the
 * fleet, the database pool, the retention sweep and the JVM, written in the Prometheus text format.
 */
public final class BackendMetrics {
  /** The media type of {@link #scrape()}. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  // The JVM's figures are the process's, whatever number of backends it runs (tests run many);
  // the client keeps every registry it registered them with, so they go in one of their own.
  private static final PrometheusRegistry JVM = jvm();

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final RequestMetrics requests = new RequestMetrics(registry);
  private final PoolMetrics pool = new PoolMetrics(registry);
  private final Counter pruned =
      Counter.builder()
          .name("vm_backend_retention_pruned_rows_total")
          .help("Rows the retention sweep deleted, by kind")
          .labelNames("kind")
          .register(registry);

  /** The request, pool and retention metrics (and the JVM's); the fleet's are added later. */
  public BackendMetrics() {}

  private static PrometheusRegistry jvm() {
    PrometheusRegistry jvm = new PrometheusRegistry();
    JvmMetrics.builder().register(jvm);
    return jvm;
  }

  /** The requests, by route template, method and status. */
  public RequestMetrics requests() {
    return requests;
  }

  /** The database pool's metrics, given to the pool when it is made. */
  public PoolMetrics pool() {
    return pool;
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
