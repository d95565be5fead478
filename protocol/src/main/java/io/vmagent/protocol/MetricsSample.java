package io.vmagent.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One metrics snapshot at the instant it was taken; the backend stores it at that instant, so a
 * late batch lands at its true time.
 *
 * @param timestamp when the snapshot was taken, by the agent's wall clock
 * @param snapshot the snapshot as a JSON object (its shape belongs to the agent's metrics code)
 * @param clockOffsetMs how far the agent's clock was ahead of the backend's when it was taken (its
 *     estimate), so the backend can order samples by {@code timestamp} minus it (protocol 4); null
 *     before the agent measured it
 */
public record MetricsSample(Instant timestamp, ObjectNode snapshot, Long clockOffsetMs) {

  /** A sample without the clock offset, as before protocol 4. */
  public MetricsSample(Instant timestamp, ObjectNode snapshot) {
    this(timestamp, snapshot, null);
  }

  /** This sample as a backend of {@code protocolVersion} takes it. */
  public MetricsSample forProtocol(int protocolVersion) {
    if (protocolVersion >= VmEvent.CLOCK_OFFSET_PROTOCOL || clockOffsetMs == null) {
      return this;
    }
    return new MetricsSample(timestamp, snapshot, null);
  }
}
