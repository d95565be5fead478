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
  /** The protocol version from which events and samples carry the agent's clock offset. */
  public static final int CLOCK_OFFSET_PROTOCOL = 4;

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

  /** When it happened by the backend's clock, as the agent estimated its offset. */
  public Instant correctedTime() {
    return corrected(timestamp, clockOffsetMs);
  }

  /**
   * {@code timestamp} (an agent's wall clock) on the backend's clock: less the agent's offset, or
   * as it is when the agent reported none. The one place reported times are corrected.
   */
  public static Instant corrected(Instant timestamp, Long clockOffsetMs) {
    return clockOffsetMs == null ? timestamp : timestamp.minusMillis(clockOffsetMs);
  }

  /** This event as a backend of {@code protocolVersion} takes it. */
  public VmEvent forProtocol(int protocolVersion) {
    if (protocolVersion >= CLOCK_OFFSET_PROTOCOL || clockOffsetMs == null) {
      return this;
    }
    return new VmEvent(sequence, timestamp, vmName, vmUuid, eventType, detail, null);
  }
}
