package io.vmagent.agent.metrics.system;

import java.util.List;

/**
 * The host's own figures; each part is null when its collector failed.
 *
 * @param cpu CPU usage, frequency and core counts
 * @param load load average
 * @param memory physical memory
 * @param swap swap space
 * @param fileSystems usage of each real mounted file system
 * @param disks I/O counters and rates of each block device
 * @param network I/O counters and rates of each network interface
 */
public record SystemMetrics(
    CpuMetrics cpu,
    LoadAverage load,
    MemoryMetrics memory,
    SwapMetrics swap,
    List<FileSystemUsage> fileSystems,
    List<DiskIo> disks,
    List<NetworkIo> network) {}
