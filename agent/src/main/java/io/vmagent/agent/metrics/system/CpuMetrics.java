package io.vmagent.agent.metrics.system;

import java.util.List;

/**
 * Host CPU figures. Percentages cover the interval since the previous collection and are null on
 * the first one.
 *
 * @param usagePercent busy share of all logical CPUs, 0-100
 * @param perCpuPercent busy share of each logical CPU, 0-100, in CPU order
 * @param frequencyHz mean current frequency of the logical CPUs, null when not exposed
 * @param maxFrequencyHz highest frequency the CPU reports, null when not exposed
 * @param physicalCores physical cores
 * @param logicalCores logical CPUs (hardware threads)
 */
public record CpuMetrics(
    Double usagePercent,
    List<Double> perCpuPercent,
    Long frequencyHz,
    Long maxFrequencyHz,
    int physicalCores,
    int logicalCores) {}
