package io.vmagent.protocol;

/**
 * The backend's receipt for a metrics or event batch.
 *
 * @param accepted items stored
 * @param duplicates items skipped because they were stored before (a redelivered batch)
 */
public record IngestAck(int accepted, int duplicates) {}
