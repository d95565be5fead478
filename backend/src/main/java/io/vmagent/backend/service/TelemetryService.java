package io.vmagent.backend.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.MetricsRollupStore;
import io.vmagent.backend.store.TelemetryStore;
import io.vmagent.backend.store.VmRow;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.IngestAck;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.VmEvent;
import io.vmagent.protocol.VmEventType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Stores metrics samples at their own timestamps (and their figures in the metrics history) and VM
 * lifecycle events, skipping what a redelivered batch repeats, and keeps the VM inventory current
 * from the events.
 */
public final class TelemetryService {
  private static final ObjectMapper SNAPSHOTS = ProtocolJson.tolerantMapper();

  private final Database database;
  private final TelemetryStore telemetry;
  private final MetricsRollupStore rollup;
  private final Clock clock;

  /** A service over these stores. */
  public TelemetryService(
      Database database, TelemetryStore telemetry, MetricsRollupStore rollup, Clock clock) {
    this.database = database;
    this.telemetry = telemetry;
    this.rollup = rollup;
    this.clock = clock;
  }

  /**
   * Stores a metrics batch, each sample at its own timestamp, and adds each new sample's figures to
   * the metrics history in the same transaction.
   */
  public IngestAck metrics(String agentId, MetricsBatch batch) {
    Instant now = clock.instant();
    List<MetricsSample> samples = new ArrayList<>(batch.samples());
    // In time order, so each sample's rates are computed against the one just before it.
    samples.sort(Comparator.comparing(MetricsSample::timestamp));
    return database.inTransaction(
        "store metrics",
        c -> {
          int accepted = 0;
          RollupBuckets buckets = new RollupBuckets();
          SnapshotFigures.Sample last = null;
          for (MetricsSample sample : samples) {
            if (!telemetry.insertSample(
                c,
                agentId,
                sample.timestamp(),
                sample.clockOffsetMs(),
                now,
                sample.snapshot().toString())) {
              continue;
            }
            accepted++;
            SnapshotFigures.Sample current =
                new SnapshotFigures.Sample(sample.timestamp(), sample.snapshot());
            buckets.add(
                sample.timestamp(),
                SnapshotFigures.of(current, previous(c, agentId, sample.timestamp(), last)));
            last = current;
          }
          rollup.add(c, agentId, buckets.buckets(), now);
          return new IngestAck(accepted, batch.samples().size() - accepted);
        });
  }

  /**
   * The agent's stored sample just before {@code at}: usually the batch's previous sample, already
   * parsed; otherwise read back (the first of a batch, or one that came late).
   */
  private SnapshotFigures.Sample previous(
      Connection c, String agentId, Instant at, SnapshotFigures.Sample last) throws SQLException {
    if (last == null) {
      // The first of a batch: its time and snapshot in one read.
      TelemetryStore.StoredSample stored = telemetry.previousSample(c, agentId, at);
      return stored == null ? null : parsed(stored.sampleTime(), stored.snapshotJson());
    }
    Instant previous = telemetry.previousSampleTime(c, agentId, at);
    if (previous == null) {
      return null;
    }
    if (last.at().equals(previous)) {
      return last;
    }
    return parsed(previous, telemetry.sampleJson(c, agentId, previous));
  }

  private static SnapshotFigures.Sample parsed(Instant at, String json) {
    if (json == null) {
      return null;
    }
    try {
      return new SnapshotFigures.Sample(at, SNAPSHOTS.readTree(json));
    } catch (JsonProcessingException e) {
      return null; // stored by an older backend without checks: no rates against it
    }
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
