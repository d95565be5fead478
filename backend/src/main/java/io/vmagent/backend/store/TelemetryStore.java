package io.vmagent.backend.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What agents report besides heartbeats: metrics samples, VM events and the VM inventory. */
public final class TelemetryStore {
  private final Dialect dialect;

  /** A store speaking this dialect. */
  public TelemetryStore(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Stores a sample at its own timestamp; false when one is stored at that instant already. */
  public boolean insertSample(
      Connection c, String agentId, Instant sampleTime, Instant receivedAt, String snapshotJson)
      throws SQLException {
    return insertIgnoringDuplicate(
        c,
        "INSERT INTO metrics_samples (agent_id, sample_time, received_at, snapshot_json)"
            + " VALUES (?, ?, ?, ?)",
        s -> {
          s.setString(1, agentId);
          Sql.setInstant(s, 2, sampleTime);
          Sql.setInstant(s, 3, receivedAt);
          s.setString(4, snapshotJson);
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

  /** Stores an event; false when the agent's event with this sequence is stored already. */
  public boolean insertEvent(
      Connection c,
      String agentId,
      long sequence,
      Instant eventTime,
      String vmName,
      String vmUuid,
      String eventType,
      String detail,
      Instant receivedAt)
      throws SQLException {
    return insertIgnoringDuplicate(
        c,
        "INSERT INTO vm_events (agent_id, sequence_no, event_time, vm_name, vm_uuid, event_type,"
            + " detail, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        s -> {
          s.setString(1, agentId);
          s.setLong(2, sequence);
          Sql.setInstant(s, 3, eventTime);
          s.setString(4, vmName);
          Sql.setString(s, 5, vmUuid);
          s.setString(6, eventType);
          Sql.setString(s, 7, detail);
          Sql.setInstant(s, 8, receivedAt);
        });
  }

  /** Replaces the agent's whole VM inventory. */
  public void replaceInventory(Connection c, String agentId, List<VmRow> vms) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM vms WHERE agent_id = ?")) {
      s.setString(1, agentId);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO vms (agent_id, vm_name, vm_uuid, state, reported_at)"
                + " VALUES (?, ?, ?, ?, ?)")) {
      for (VmRow vm : vms) {
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
