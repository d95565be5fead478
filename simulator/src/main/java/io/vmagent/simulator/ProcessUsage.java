package io.vmagent.simulator;

/**
 * What one process used over a window.
 *
 * @param pid the process id
 * @param role what the process is (backend, simulator)
 * @param cpuPercent average CPU over the window, percent of one core (200 = both cores of 2)
 * @param cpuPercentPeak the busiest sampling interval, percent of one core
 * @param rssMib average resident memory, MiB
 * @param rssMibMax largest resident memory seen, MiB
 * @param threadsMax most threads seen
 * @param alive whether the process was still there at the end of the window
 */
public record ProcessUsage(
    long pid,
    String role,
    double cpuPercent,
    double cpuPercentPeak,
    double rssMib,
    double rssMibMax,
    int threadsMax,
    boolean alive) {}
