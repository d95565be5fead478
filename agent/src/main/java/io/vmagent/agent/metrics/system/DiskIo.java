package io.vmagent.agent.metrics.system;

/**
 * I/O of one block device since boot, and rates over the interval since the previous collection
 * (NaN, null in JSON, on the first collection or after a counter reset).
 *
 * @param device kernel name, e.g. "sda"
 * @param readBytes bytes read
 * @param writeBytes bytes written
 * @param readOperations completed reads
 * @param writeOperations completed writes
 * @param readBytesPerSecond read rate
 * @param writeBytesPerSecond write rate
 * @param readOperationsPerSecond read operations per second
 * @param writeOperationsPerSecond write operations per second
 */
public record DiskIo(
    String device,
    long readBytes,
    long writeBytes,
    long readOperations,
    long writeOperations,
    double readBytesPerSecond,
    double writeBytesPerSecond,
    double readOperationsPerSecond,
    double writeOperationsPerSecond) {}
