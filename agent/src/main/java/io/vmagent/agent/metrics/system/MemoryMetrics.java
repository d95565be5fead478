package io.vmagent.agent.metrics.system;

/**
 * Physical memory.
 *
 * @param totalBytes installed memory visible to the kernel
 * @param availableBytes memory available to new work without swapping (MemAvailable)
 * @param usedBytes total minus available
 * @param usedPercent used share of total, 0-100
 */
public record MemoryMetrics(
    long totalBytes, long availableBytes, long usedBytes, double usedPercent) {}
