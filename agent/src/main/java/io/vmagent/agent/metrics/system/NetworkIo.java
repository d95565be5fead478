package io.vmagent.agent.metrics.system;

/**
 * Traffic of one network interface since it came up, and per-second rates over the interval since
 * the previous collection (NaN, null in JSON, on the first collection or after a counter reset).
 *
 * @param name interface name, e.g. "eth0"
 * @param rxBytes bytes received
 * @param txBytes bytes sent
 * @param rxPackets packets received
 * @param txPackets packets sent
 * @param rxErrors receive errors
 * @param txErrors transmit errors
 * @param rxDrops received packets dropped
 * @param txDrops outgoing packets dropped; -1 (null in JSON) where the platform does not report it
 * @param rxBytesPerSecond receive rate in bytes
 * @param txBytesPerSecond send rate in bytes
 * @param rxPacketsPerSecond packets received per second
 * @param txPacketsPerSecond packets sent per second
 * @param rxErrorsPerSecond receive errors per second
 * @param txErrorsPerSecond transmit errors per second
 * @param rxDropsPerSecond receive drops per second
 * @param txDropsPerSecond transmit drops per second
 */
public record NetworkIo(
    String name,
    long rxBytes,
    long txBytes,
    long rxPackets,
    long txPackets,
    long rxErrors,
    long txErrors,
    long rxDrops,
    long txDrops,
    double rxBytesPerSecond,
    double txBytesPerSecond,
    double rxPacketsPerSecond,
    double txPacketsPerSecond,
    double rxErrorsPerSecond,
    double txErrorsPerSecond,
    double rxDropsPerSecond,
    double txDropsPerSecond) {}
