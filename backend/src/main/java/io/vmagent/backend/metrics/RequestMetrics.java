package io.vmagent.backend.metrics;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Requests answered, by route template (never the raw path, so the label set stays as small as the
 * route table), method and status, with their latency.
 */
public final class RequestMetrics {
  /** The route label of a request that matched no route. */
  public static final String UNMATCHED = "unmatched";

  // Up to a minute: a long poll is answered after at most 30 s.
  private static final double[] BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  private final Counter requests;
  private final Histogram latency;
  private final Counter cpu;
  private final Counter allocated;

  RequestMetrics(PrometheusRegistry registry) {
    requests =
        Counter.builder()
            .name("vm_backend_http_requests_total")
            .help("HTTP requests answered, by route template, method and status")
            .labelNames("route", "method", "status")
            .register(registry);
    latency =
        Histogram.builder()
            .name("vm_backend_http_request_duration_seconds")
            .help("Time from a request's arrival to its answer (a long poll's wait included)")
            .unit(Unit.SECONDS)
            .classicUpperBounds(BUCKETS)
            .classicOnly()
            .labelNames("route", "method")
            .register(registry);
    cpu =
        Counter.builder()
            .name("vm_backend_http_request_cpu_seconds_total")
            .help(
                "CPU time of the threads that handled requests, from routing to the answer's"
                    + " write, by route template and method (TLS and HTTP parsing before routing,"
                    + " and a long poll's later answer, not included)")
            .unit(Unit.SECONDS)
            .labelNames("route", "method")
            .register(registry);
    allocated =
        Counter.builder()
            .name("vm_backend_http_request_allocated_bytes_total")
            .help(
                "Heap the threads that handled requests allocated, from routing to the answer's"
                    + " write, by route template and method (as the CPU counter)")
            .unit(Unit.BYTES)
            .labelNames("route", "method")
            .register(registry);
  }

  /** Records the CPU time a request's handling took on its thread and the bytes it allocated. */
  public void handled(String route, String method, long cpuNanos, long allocatedBytes) {
    cpu.labelValues(route, method).inc(Unit.nanosToSeconds(cpuNanos));
    allocated.labelValues(route, method).inc(allocatedBytes);
  }

  /** Records one answered request that took {@code nanos}. */
  public void answered(String route, String method, int status, long nanos) {
    requests.labelValues(route, method, Integer.toString(status)).inc();
    DistributionDataPoint point = latency.labelValues(route, method);
    point.observe(Unit.nanosToSeconds(nanos));
  }
}
