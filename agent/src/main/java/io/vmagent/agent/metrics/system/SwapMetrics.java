package io.vmagent.agent.metrics.system;

/**
 * Swap space.
 *
 * @param totalBytes configured swap
 * @param usedBytes swap in use
 * @param usedPercent used share of total, 0-100; 0 when there is no swap
 */
public record SwapMetrics(long totalBytes, long usedBytes, double usedPercent) {}
