package io.vmagent.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One metrics snapshot at the instant it was taken; the backend stores it at that instant, so a
 * late batch lands at its true time.
 *
 * @param timestamp when the snapshot was taken
 * @param snapshot the snapshot as a JSON object (its shape belongs to the agent's metrics code)
 */
public record MetricsSample(Instant timestamp, ObjectNode snapshot) {}
