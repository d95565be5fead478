package io.vmagent.backend.service;

import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.TelemetryStore;
import io.vmagent.backend.store.VmRow;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.IngestAck;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.VmEvent;
import io.vmagent.protocol.VmEventType;
import java.time.Clock;
import java.time.Instant;

/**
 * Stores metrics samples at their own timestamps and VM lifecycle events, skipping what a
 * redelivered batch repeats, and keeps the VM inventory current from the events.
 */
public final class TelemetryService {
  private final Database database;
  private final TelemetryStore telemetry;
  private final Clock clock;

  /** A service over this store. */
  public TelemetryService(Database database, TelemetryStore telemetry, Clock clock) {
    this.database = database;
    this.telemetry = telemetry;
    this.clock = clock;
  }

  /** Stores a metrics batch, each sample at its own timestamp. */
  public IngestAck metrics(String agentId, MetricsBatch batch) {
    Instant now = clock.instant();
    return database.inTransaction(
        "store metrics",
        c -> {
          int accepted = 0;
          for (MetricsSample sample : batch.samples()) {
            if (telemetry.insertSample(
                c,
                agentId,
                sample.timestamp(),
                sample.clockOffsetMs(),
                now,
                sample.snapshot().toString())) {
              accepted++;
            }
          }
          return new IngestAck(accepted, batch.samples().size() - accepted);
        });
  }

  /** Stores VM events and applies each new one to the VM inventory. */
  public IngestAck events(String agentId, EventBatch batch) {
    Instant now = clock.instant();
    return database.inTransaction(
        "store events",
        c -> {
          int accepted = 0;
          for (VmEvent event : batch.events()) {
            if (telemetry.insertEvent(c, agentId, event, now)) {
              accepted++;
              if (event.eventType() == VmEventType.OTHER) {
                continue; // an event the protocol has no name for says nothing about the state
              }
              VmRow vm =
                  new VmRow(
                      agentId,
                      event.vmName(),
                      event.vmUuid(),
                      stateAfter(event),
                      // On the backend's clock, as the heartbeat's inventory is: an event from an
                      // agent whose clock is ahead must not pass for newer than a later report.
                      event.correctedTime());
              if (event.eventType() == VmEventType.DEFINED) {
                // A definition says nothing about whether a known VM runs; it only adds new ones.
                telemetry.addVmIfAbsent(c, vm);
              } else {
                telemetry.applyVmState(c, vm);
              }
            }
          }
          return new IngestAck(accepted, batch.events().size() - accepted);
        });
  }

  /**
   * The VM's state after the event, spelled as {@link io.vmagent.protocol.VmStates} does; null when
   * the VM no longer exists or the event does not tell.
   */
  static String stateAfter(VmEvent event) {
    return switch (event.eventType()) {
      case STARTED, RESUMED, REBOOTED -> "running";
      case SUSPENDED -> "paused";
      case PMSUSPENDED -> "pm_suspended";
      case STOPPED, SHUTDOWN, DEFINED -> "shut_off";
      case CRASHED -> "crashed";
      case UNDEFINED, OTHER -> null;
    };
  }
}
