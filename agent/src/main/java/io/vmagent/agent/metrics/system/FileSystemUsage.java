package io.vmagent.agent.metrics.system;

/**
 * Space on one mounted file system.
 *
 * @param mountPoint where it is mounted
 * @param device what is mounted (block device, or the source of an overlay)
 * @param type file system type, e.g. "ext4"
 * @param totalBytes size
 * @param usedBytes size minus free space
 * @param availableBytes space unprivileged users may still use
 * @param usedPercent used share of what users can have (used + available), 0-100, as df shows
 */
public record FileSystemUsage(
    String mountPoint,
    String device,
    String type,
    long totalBytes,
    long usedBytes,
    long availableBytes,
    double usedPercent) {}
