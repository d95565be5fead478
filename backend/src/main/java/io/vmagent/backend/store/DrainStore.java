package io.vmagent.backend.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Agents being drained and their VMs' moves. */
public final class DrainStore {
  private static final String COLUMNS =
      "agent_id, to_agent, parallel_moves, started_at, started_by, options_json";

  /**
   * One drain: the agent, the named destination (or null), how many moves at once, since when and
   * the operator certificate's name that began it (null for the operator token alone), and the
   * {@code migrate} options of its migrations (a JSON object).
   */
  public record Drain(
      String agentId,
      String to,
      int parallel,
      Instant startedAt,
      String startedBy,
      String optionsJson) {}

  /** One VM's move: its destination and migration once started, or why it could not start. */
  public record Move(
      String agentId,
      String vm,
      int index,
      String destinationAgent,
      String migrationId,
      String message) {}

  /** Whether the agent is being drained. */
  public boolean draining(Connection c, String agentId) throws SQLException {
    return find(c, agentId).isPresent();
  }

  /** The agent's drain, if it is being drained. */
  public Optional<Drain> find(Connection c, String agentId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + COLUMNS + " FROM agent_drains WHERE agent_id = ?")) {
      s.setString(1, agentId);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next() ? Optional.of(drain(rows)) : Optional.empty();
      }
    }
  }

  /** Every drain, oldest first. */
  public List<Drain> list(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + COLUMNS + " FROM agent_drains ORDER BY started_at")) {
      List<Drain> result = new ArrayList<>();
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          result.add(drain(rows));
        }
      }
      return result;
    }
  }

  /** Stores a new drain with one waiting move per VM, in this order. */
  public void insert(Connection c, Drain drain, List<String> vms) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO agent_drains (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
      s.setString(1, drain.agentId());
      Sql.setString(s, 2, drain.to());
      s.setInt(3, drain.parallel());
      Sql.setInstant(s, 4, drain.startedAt());
      Sql.setString(s, 5, drain.startedBy());
      s.setString(6, drain.optionsJson());
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO drain_moves (agent_id, vm, move_index) VALUES (?, ?, ?)")) {
      for (int i = 0; i < vms.size(); i++) {
        s.setString(1, drain.agentId());
        s.setString(2, vms.get(i));
        s.setInt(3, i);
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /** The drain's moves, in order. */
  public List<Move> moves(Connection c, String agentId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT agent_id, vm, move_index, destination_agent, migration_id, message"
                + " FROM drain_moves WHERE agent_id = ? ORDER BY move_index")) {
      s.setString(1, agentId);
      List<Move> result = new ArrayList<>();
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          result.add(
              new Move(
                  rows.getString("agent_id"),
                  rows.getString("vm"),
                  rows.getInt("move_index"),
                  rows.getString("destination_agent"),
                  rows.getString("migration_id"),
                  rows.getString("message")));
        }
      }
      return result;
    }
  }

  /**
   * Records a waiting move's destination and migration, before the migration begins: of two
   * backends starting the same move, one records it.
   */
  public boolean start(
      Connection c, String agentId, String vm, String destination, String migrationId)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE drain_moves SET destination_agent = ?, migration_id = ?"
                + " WHERE agent_id = ? AND vm = ? AND migration_id IS NULL AND message IS NULL")) {
      s.setString(1, destination);
      s.setString(2, migrationId);
      s.setString(3, agentId);
      s.setString(4, vm);
      return s.executeUpdate() == 1;
    }
  }

  /** Records why a move could not start; it has no migration then. */
  public void fail(Connection c, String agentId, String vm, String why) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE drain_moves SET migration_id = NULL, message = ? WHERE agent_id = ? AND vm"
                + " = ?")) {
      s.setString(1, why);
      s.setString(2, agentId);
      s.setString(3, vm);
      s.executeUpdate();
    }
  }

  /** Ends the agent's drain, forgetting its moves; false when it was not draining. */
  public boolean delete(Connection c, String agentId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM drain_moves WHERE agent_id = ?")) {
      s.setString(1, agentId);
      s.executeUpdate();
    }
    try (PreparedStatement s = c.prepareStatement("DELETE FROM agent_drains WHERE agent_id = ?")) {
      s.setString(1, agentId);
      return s.executeUpdate() == 1;
    }
  }

  private static Drain drain(ResultSet rows) throws SQLException {
    return new Drain(
        rows.getString("agent_id"),
        rows.getString("to_agent"),
        rows.getInt("parallel_moves"),
        Sql.instant(rows, "started_at"),
        rows.getString("started_by"),
        rows.getString("options_json"));
  }
}
