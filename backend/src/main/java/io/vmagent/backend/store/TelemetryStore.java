package io.vmagent.backend.store;

import io.vmagent.protocol.VmEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** What agents report besides heartbeats: metrics samples, VM events and the VM inventory. */
public final class TelemetryStore {
  private final Dialect dialect;

  /** A store speaking this dialect. */
  public TelemetryStore(Dialect dialect) {
    this.dialect = dialect;
  }

  /**
   * Stores a sample at its own timestamp with the clock offset the agent reported (null: none);
   * false when one is stored at that instant already.
   */
  public boolean insertSample(
      Connection c,
      String agentId,
      Instant sampleTime,
      Long clockOffsetMs,
      Instant receivedAt,
      String snapshotJson)
      throws SQLException {
    return insertIgnoringDuplicate(
        c,
        "INSERT INTO metrics_samples (agent_id, sample_time, received_at, snapshot_json,"
            + " clock_offset_ms) VALUES (?, ?, ?, ?, ?)",
        s -> {
          s.setString(1, agentId);
          Sql.setInstant(s, 2, sampleTime);
          Sql.setInstant(s, 3, receivedAt);
          s.setString(4, snapshotJson);
          Sql.setLong(s, 5, clockOffsetMs);
        });
  }

  /** When the agent's last sample before {@code before} was taken; null when there is none. */
  public Instant previousSampleTime(Connection c, String agentId, Instant before)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT MAX(sample_time) AS previous FROM metrics_samples"
                + " WHERE agent_id = ? AND sample_time < ?")) {
      s.setString(1, agentId);
      Sql.setInstant(s, 2, before);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return Sql.instant(rows, "previous");
      }
    }
  }

  /** A stored sample: when it was taken and its snapshot. */
  public record StoredSample(Instant sampleTime, String snapshotJson) {}

  /** The agent's last sample before {@code before}, with its snapshot; null when there is none. */
  public StoredSample previousSample(Connection c, String agentId, Instant before)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT sample_time, snapshot_json FROM metrics_samples WHERE agent_id = ?"
                + " AND sample_time = (SELECT MAX(sample_time) FROM metrics_samples"
                + " WHERE agent_id = ? AND sample_time < ?)")) {
      s.setString(1, agentId);
      s.setString(2, agentId);
      Sql.setInstant(s, 3, before);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next()
            ? new StoredSample(Sql.instant(rows, "sample_time"), rows.getString("snapshot_json"))
            : null;
      }
    }
  }

  /** The snapshot of the agent's sample taken at {@code sampleTime}; null when there is none. */
  public String sampleJson(Connection c, String agentId, Instant sampleTime) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT snapshot_json FROM metrics_samples WHERE agent_id = ? AND sample_time = ?")) {
      s.setString(1, agentId);
      Sql.setInstant(s, 2, sampleTime);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  /**
   * Stores an event with its clock offset and the time it is ordered by (its time less the offset);
   * false when the agent's event with this sequence is stored already.
   */
  public boolean insertEvent(Connection c, String agentId, VmEvent event, Instant receivedAt)
      throws SQLException {
    return insertIgnoringDuplicate(
        c,
        "INSERT INTO vm_events (agent_id, sequence_no, event_time, vm_name, vm_uuid, event_type,"
            + " detail, received_at, clock_offset_ms, corrected_time)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        s -> {
          s.setString(1, agentId);
          s.setLong(2, event.sequence());
          Sql.setInstant(s, 3, event.timestamp());
          s.setString(4, event.vmName());
          Sql.setString(s, 5, event.vmUuid());
          s.setString(6, event.eventType().wire());
          Sql.setString(s, 7, event.detail());
          Sql.setInstant(s, 8, receivedAt);
          Sql.setLong(s, 9, event.clockOffsetMs());
          Sql.setInstant(s, 10, event.correctedTime());
        });
  }

  /**
   * Replaces the agent's whole VM inventory, every row reported at the inventory's time. Only what
   * changed is written: a heartbeat repeats its inventory unchanged almost every time, and one
   * update of the report time is cheaper than deleting and inserting every row again.
   */
  public void replaceInventory(Connection c, String agentId, List<VmRow> vms) throws SQLException {
    Map<String, VmRow> stored =
        vms.isEmpty() ? storedInventory(c, agentId) : touchInventory(c, agentId, vms.get(0));
    if (vms.isEmpty() && stored.isEmpty()) {
      return;
    }
    Set<String> reported = new HashSet<>();
    List<VmRow> changed = new ArrayList<>();
    List<VmRow> added = new ArrayList<>();
    for (VmRow vm : vms) {
      reported.add(vm.name());
      VmRow before = stored.get(vm.name());
      if (before == null) {
        added.add(vm);
      } else if (!Objects.equals(before.uuid(), vm.uuid())
          || !Objects.equals(before.state(), vm.state())) {
        changed.add(vm);
      }
    }
    List<String> removed = stored.keySet().stream().filter(n -> !reported.contains(n)).toList();
    if (!removed.isEmpty()) {
      try (PreparedStatement s =
          c.prepareStatement("DELETE FROM vms WHERE agent_id = ? AND vm_name = ?")) {
        for (String name : removed) {
          s.setString(1, agentId);
          s.setString(2, name);
          s.addBatch();
        }
        s.executeBatch();
      }
    }
    if (!changed.isEmpty()) {
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE vms SET vm_uuid = ?, state = ?, reported_at = ?"
                  + " WHERE agent_id = ? AND vm_name = ?")) {
        for (VmRow vm : changed) {
          Sql.setString(s, 1, vm.uuid());
          s.setString(2, vm.state());
          Sql.setInstant(s, 3, vm.reportedAt());
          s.setString(4, agentId);
          s.setString(5, vm.name());
          s.addBatch();
        }
        s.executeBatch();
      }
    }
    if (!added.isEmpty()) {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO vms (agent_id, vm_name, vm_uuid, state, reported_at)"
                  + " VALUES (?, ?, ?, ?, ?)")) {
        for (VmRow vm : added) {
          s.setString(1, agentId);
          s.setString(2, vm.name());
          Sql.setString(s, 3, vm.uuid());
          s.setString(4, vm.state());
          Sql.setInstant(s, 5, vm.reportedAt());
          s.addBatch();
        }
        s.executeBatch();
      }
    }
  }

  private static Map<String, VmRow> storedInventory(Connection c, String agentId)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT vm_name, vm_uuid, state FROM vms WHERE agent_id = ?")) {
      s.setString(1, agentId);
      return inventory(s, agentId);
    }
  }

  /**
   * Sets the report time of every VM stored for the agent to the new inventory's and answers them
   * as they were, in one statement.
   */
  private Map<String, VmRow> touchInventory(Connection c, String agentId, VmRow first)
      throws SQLException {
    String update = "UPDATE vms SET reported_at = ? WHERE agent_id = ?";
    try (PreparedStatement s =
        c.prepareStatement(
            dialect == Dialect.POSTGRESQL
                ? update + " RETURNING vm_name, vm_uuid, state"
                : "SELECT vm_name, vm_uuid, state FROM FINAL TABLE (" + update + ")")) {
      Sql.setInstant(s, 1, first.reportedAt());
      s.setString(2, agentId);
      return inventory(s, agentId);
    }
  }

  private static Map<String, VmRow> inventory(PreparedStatement s, String agentId)
      throws SQLException {
    Map<String, VmRow> stored = new HashMap<>();
    try (ResultSet rows = s.executeQuery()) {
      while (rows.next()) {
        stored.put(
            rows.getString(1),
            new VmRow(agentId, rows.getString(1), rows.getString(2), rows.getString(3), null));
      }
    }
    return stored;
  }

  /** Sets one VM's state unless a newer report is stored; {@code state} null removes the VM. */
  public void applyVmState(Connection c, VmRow vm) throws SQLException {
    if (vm.state() == null) {
      try (PreparedStatement s =
          c.prepareStatement(
              "DELETE FROM vms WHERE agent_id = ? AND vm_name = ? AND reported_at <= ?")) {
        s.setString(1, vm.agentId());
        s.setString(2, vm.name());
        Sql.setInstant(s, 3, vm.reportedAt());
        s.executeUpdate();
      }
      return;
    }
    int updated;
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE vms SET state = ?, vm_uuid = COALESCE(?, vm_uuid), reported_at = ?"
                + " WHERE agent_id = ? AND vm_name = ? AND reported_at <= ?")) {
      s.setString(1, vm.state());
      Sql.setString(s, 2, vm.uuid());
      Sql.setInstant(s, 3, vm.reportedAt());
      s.setString(4, vm.agentId());
      s.setString(5, vm.name());
      Sql.setInstant(s, 6, vm.reportedAt());
      updated = s.executeUpdate();
    }
    if (updated == 0) {
      insertIgnoringDuplicate(
          c,
          "INSERT INTO vms (agent_id, vm_name, vm_uuid, state, reported_at) VALUES (?, ?, ?, ?, ?)",
          s -> {
            s.setString(1, vm.agentId());
            s.setString(2, vm.name());
            Sql.setString(s, 3, vm.uuid());
            s.setString(4, vm.state());
            Sql.setInstant(s, 5, vm.reportedAt());
          });
    }
  }

  /** Adds the VM unless the agent reported it already. */
  public void addVmIfAbsent(Connection c, VmRow vm) throws SQLException {
    insertIgnoringDuplicate(
        c,
        "INSERT INTO vms (agent_id, vm_name, vm_uuid, state, reported_at) VALUES (?, ?, ?, ?, ?)",
        s -> {
          s.setString(1, vm.agentId());
          s.setString(2, vm.name());
          Sql.setString(s, 3, vm.uuid());
          s.setString(4, vm.state());
          Sql.setInstant(s, 5, vm.reportedAt());
        });
  }

  /** VMs as last reported, ordered by agent and name; {@code agentId} null means all agents. */
  public List<VmRow> listVms(Connection c, String agentId) throws SQLException {
    String sql =
        "SELECT v.agent_id, v.vm_name, v.vm_uuid, v.state, v.reported_at, a.interfaces_json,"
            + " a.reported_at AS addresses_reported_at FROM vms v LEFT JOIN vm_addresses a"
            + " ON a.agent_id = v.agent_id AND a.vm_uuid = v.vm_uuid"
            + (agentId == null ? "" : " WHERE v.agent_id = ?")
            + " ORDER BY v.agent_id, v.vm_name";
    try (PreparedStatement s = c.prepareStatement(sql)) {
      if (agentId != null) {
        s.setString(1, agentId);
      }
      try (ResultSet rows = s.executeQuery()) {
        List<VmRow> vms = new ArrayList<>();
        while (rows.next()) {
          vms.add(
              new VmRow(
                  rows.getString("agent_id"),
                  rows.getString("vm_name"),
                  rows.getString("vm_uuid"),
                  rows.getString("state"),
                  Sql.instant(rows, "reported_at"),
                  rows.getString("interfaces_json"),
                  Sql.instant(rows, "addresses_reported_at")));
        }
        return vms;
      }
    }
  }

  /** Replaces the interfaces and addresses the agent last reported for the VM {@code uuid}. */
  public void recordAddresses(
      Connection c, String agentId, String uuid, String interfacesJson, Instant at)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM vm_addresses WHERE agent_id = ? AND vm_uuid = ?")) {
      s.setString(1, agentId);
      s.setString(2, uuid);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO vm_addresses (agent_id, vm_uuid, interfaces_json, reported_at)"
                + " VALUES (?, ?, ?, ?)")) {
      s.setString(1, agentId);
      s.setString(2, uuid);
      s.setString(3, interfacesJson);
      Sql.setInstant(s, 4, at);
      s.executeUpdate();
    }
  }

  /** How many VMs the agent last reported. */
  public int countVms(Connection c, String agentId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM vms WHERE agent_id = ?")) {
      s.setString(1, agentId);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  private interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  private boolean insertIgnoringDuplicate(Connection c, String insert, Binder binder)
      throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      // A failed statement would abort a PostgreSQL transaction, so the conflict is avoided.
      try (PreparedStatement s = c.prepareStatement(insert + " ON CONFLICT DO NOTHING")) {
        binder.bind(s);
        return s.executeUpdate() == 1;
      }
    }
    try (PreparedStatement s = c.prepareStatement(insert)) {
      binder.bind(s);
      return s.executeUpdate() == 1;
    } catch (SQLException e) {
      if (Sql.isDuplicateKey(e)) {
        return false;
      }
      throw e;
    }
  }
}
