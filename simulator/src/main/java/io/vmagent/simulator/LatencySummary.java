package io.vmagent.simulator;

/**
 * The figures of one request type over one window.
 *
 * @param count requests that completed successfully
 * @param errors requests that failed (non-2xx, timeout, connection error)
 * @param perSecond successful requests per second of the window
 * @param p50Ms median latency, milliseconds
 * @param p95Ms 95th percentile, milliseconds
 * @param p99Ms 99th percentile, milliseconds
 * @param maxMs the slowest, milliseconds
 * @param sampled true when more requests completed than were kept, so percentiles cover the first
 *     ones only
 */
public record LatencySummary(
    long count,
    long errors,
    double perSecond,
    double p50Ms,
    double p95Ms,
    double p99Ms,
    double maxMs,
    boolean sampled) {}
