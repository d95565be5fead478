package io.vmagent.agent.metrics;

/**
 * Outcome of one collector in one collection.
 *
 * @param name the collector's name
 * @param success whether it filled its part
 * @param durationSeconds wall time it took
 * @param error why it failed, null on success
 */
public record CollectorStatus(String name, boolean success, double durationSeconds, String error) {}
