package io.vmagent.protocol;

import java.time.Instant;

/**
 * A VM lifecycle event as the backend stored it, for operators.
 *
 * @param agentId the agent that reported it
 * @param sequence its number in the agent's event sequence
 * @param timestamp when it happened, by the agent's clock
 * @param vmName the VM's name
 * @param vmUuid the VM's UUID; null when the agent did not know it
 * @param eventType what happened, as the agent named it (an older agent's names are kept)
 * @param detail libvirt's detail; null when none
 * @param receivedAt when the backend stored it
 * @param clockOffsetMs how far the agent's clock was ahead of the backend's, as the agent reported
 *     with the event; null when it did not (events are ordered by {@code timestamp} minus it)
 */
public record StoredEvent(
    String agentId,
    long sequence,
    Instant timestamp,
    String vmName,
    String vmUuid,
    String eventType,
    String detail,
    Instant receivedAt,
    Long clockOffsetMs) {

  /** An event stored without a clock offset. */
  public StoredEvent(
      String agentId,
      long sequence,
      Instant timestamp,
      String vmName,
      String vmUuid,
      String eventType,
      String detail,
      Instant receivedAt) {
    this(agentId, sequence, timestamp, vmName, vmUuid, eventType, detail, receivedAt, null);
  }

  /** When it happened by the backend's clock: {@code timestamp} less the agent's offset. */
  public Instant correctedTime() {
    return VmEvent.corrected(timestamp, clockOffsetMs);
  }
}
