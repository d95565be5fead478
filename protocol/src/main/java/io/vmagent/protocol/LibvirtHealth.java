package io.vmagent.protocol;

/**
 * Whether the agent reaches libvirt, as reported in a heartbeat.
 *
 * @param reachable true when the last check succeeded
 * @param uri the libvirt URI checked
 * @param error why the check failed; null when reachable
 * @param latencyMs how long the check took, in milliseconds; may be null
 */
public record LibvirtHealth(boolean reachable, String uri, String error, Long latencyMs) {}
