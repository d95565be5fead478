package io.vmagent.protocol;

import java.time.Instant;

/**
 * A VM lifecycle event seen by the agent (a libvirt domain event).
 *
 * @param sequence increases with every event of this agent, across restarts; the backend skips an
 *     event whose sequence it already stored
 * @param timestamp when the event happened
 * @param vmName the domain name
 * @param vmUuid the domain UUID; may be null
 * @param eventType what happened
 * @param detail libvirt's detail or reason, e.g. {@code booted}, {@code destroyed}; may be null
 */
public record VmEvent(
    long sequence,
    Instant timestamp,
    String vmName,
    String vmUuid,
    VmEventType eventType,
    String detail) {}
