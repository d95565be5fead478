package io.vmagent.protocol;

/**
 * One VM of the host's inventory as an agent reports it in a heartbeat.
 *
 * @param name the libvirt domain name
 * @param uuid the domain's UUID; may be null
 * @param state the domain's state as {@link VmStates} spells it, e.g. {@code running}, {@code
 *     paused}, {@code shut_off}
 */
public record VmSummary(String name, String uuid, String state) {}
