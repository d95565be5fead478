package io.vmagent.protocol;

import java.time.Instant;

/**
 * A VM lifecycle event seen by the agent (a libvirt domain event).
 *
 * @param sequence increases with every event of this agent, across restarts; the backend skips an
 *     event whose sequence it already stored
 * @param timestamp when the event happened, by the agent's wall clock
 * @param vmName the domain name
 * @param vmUuid the domain UUID; may be null
 * @param eventType what happened
 * @param detail libvirt's detail or reason, e.g. {@code booted}, {@code destroyed}; may be null
 * @param clockOffsetMs how far the agent's clock was ahead of the backend's when the event happened
 *     (its estimate), so the backend orders events by {@code timestamp} minus it (protocol 4); null
 *     before the agent measured it
 */
public record VmEvent(
    long sequence,
    Instant timestamp,
    String vmName,
    String vmUuid,
    VmEventType eventType,
    String detail,
    Long clockOffsetMs) {

  /** An event without the clock offset, as before protocol 4. */
  public VmEvent(
      long sequence,
      Instant timestamp,
      String vmName,
      String vmUuid,
      VmEventType eventType,
      String detail) {
    this(sequence, timestamp, vmName, vmUuid, eventType, detail, null);
  }

  /** This event as a backend of {@code protocolVersion} takes it. */
  public VmEvent forProtocol(int protocolVersion) {
    if (protocolVersion >= 4 || clockOffsetMs == null) {
      return this;
    }
    return new VmEvent(sequence, timestamp, vmName, vmUuid, eventType, detail, null);
  }
}
