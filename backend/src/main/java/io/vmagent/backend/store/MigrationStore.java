package io.vmagent.backend.store;

import io.vmagent.protocol.MigrationEndpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Agents' migration endpoints and the migrations the backend orchestrates. */
public final class MigrationStore {
  private static final String COLUMNS =
      "migration_id, vm, source_agent, destination_agent, options_json, state, step_command,"
          + " migrate_command, check_source_command, check_destination_command, holder, message,"
          + " created_at, updated_at";

  /** The states in which a migration still has steps to take. */
  public static final List<String> ACTIVE =
      List.of("inspecting", "preparing", "migrating", "checking", "cleaning");

  private static final String ACTIVE_PLACEHOLDERS =
      String.join(", ", Collections.nCopies(ACTIVE.size(), "?"));

  /** Replaces the agent's migration endpoint; null removes it (the host takes no migrations). */
  public void saveEndpoint(Connection c, String agentId, MigrationEndpoint endpoint, Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM agent_migration_endpoints WHERE agent_id = ?")) {
      s.setString(1, agentId);
      s.executeUpdate();
    }
    if (endpoint == null) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO agent_migration_endpoints (agent_id, uri, stream_uri, reported_at)"
                + " VALUES (?, ?, ?, ?)")) {
      s.setString(1, agentId);
      s.setString(2, endpoint.uri());
      Sql.setString(s, 3, endpoint.streamUri());
      Sql.setInstant(s, 4, now);
      s.executeUpdate();
    }
  }

  /** The agent's migration endpoint, if its last registration gave one. */
  public Optional<MigrationEndpoint> endpoint(Connection c, String agentId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT uri, stream_uri FROM agent_migration_endpoints WHERE agent_id = ?")) {
      s.setString(1, agentId);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next()
            ? Optional.of(new MigrationEndpoint(rows.getString(1), rows.getString(2)))
            : Optional.empty();
      }
    }
  }

  /** Stores a new migration. */
  public void insert(Connection c, MigrationRow row) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO migrations ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, row.migrationId());
      s.setString(2, row.vm());
      s.setString(3, row.sourceAgent());
      s.setString(4, row.destinationAgent());
      s.setString(5, row.optionsJson());
      bindRest(s, row, 6);
      s.executeUpdate();
    }
  }

  /**
   * Writes {@code row} over the stored one if that is still in {@code expectedState}: of two
   * backends advancing the same migration, one wins.
   */
  public boolean update(Connection c, MigrationRow row, String expectedState) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE migrations SET state = ?, step_command = ?, migrate_command = ?,"
                + " check_source_command = ?, check_destination_command = ?, holder = ?,"
                + " message = ?, created_at = ?, updated_at = ?"
                + " WHERE migration_id = ? AND state = ?")) {
      bindRest(s, row, 1);
      s.setString(10, row.migrationId());
      s.setString(11, expectedState);
      return s.executeUpdate() == 1;
    }
  }

  private static void bindRest(PreparedStatement s, MigrationRow row, int first)
      throws SQLException {
    s.setString(first, row.state());
    Sql.setString(s, first + 1, row.stepCommand());
    Sql.setString(s, first + 2, row.migrateCommand());
    Sql.setString(s, first + 3, row.checkSourceCommand());
    Sql.setString(s, first + 4, row.checkDestinationCommand());
    Sql.setString(s, first + 5, row.holder());
    Sql.setString(s, first + 6, row.message());
    Sql.setInstant(s, first + 7, row.createdAt());
    Sql.setInstant(s, first + 8, row.updatedAt());
  }

  /** The migration with this id. */
  public Optional<MigrationRow> find(Connection c, String migrationId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + COLUMNS + " FROM migrations WHERE migration_id = ?")) {
      s.setString(1, migrationId);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next() ? Optional.of(row(rows)) : Optional.empty();
      }
    }
  }

  /**
   * What keeps {@code agentId} and {@code vm} busy, in one query: whether the agent is being
   * drained, and the migration still under way (the oldest) that moves the VM off or onto the
   * agent. A null {@code vm} asks only about the drain.
   *
   * @param draining whether the agent is being drained
   * @param migrationId the id of the migration under way, or null when none moves the VM
   */
  public record Busy(boolean draining, String migrationId) {}

  /** What keeps the agent and the VM busy (see {@link Busy}). */
  public Busy busy(Connection c, String agentId, String vm) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM agent_drains WHERE agent_id = ?),"
                + " (SELECT migration_id FROM migrations WHERE state IN ("
                + ACTIVE_PLACEHOLDERS
                + ") AND vm = ? AND (source_agent = ? OR destination_agent = ?)"
                + " ORDER BY created_at LIMIT 1)")) {
      s.setString(1, agentId);
      int i = 1;
      for (String state : ACTIVE) {
        s.setString(++i, state);
      }
      Sql.setString(s, i + 1, vm);
      s.setString(i + 2, agentId);
      s.setString(i + 3, agentId);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return new Busy(rows.getBoolean(1), rows.getString(2));
      }
    }
  }

  /** The migrations that still have steps to take, oldest first. */
  public List<MigrationRow> active(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM migrations WHERE state IN ("
                + ACTIVE_PLACEHOLDERS
                + ") ORDER BY created_at")) {
      for (int i = 0; i < ACTIVE.size(); i++) {
        s.setString(i + 1, ACTIVE.get(i));
      }
      List<MigrationRow> result = new ArrayList<>();
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          result.add(row(rows));
        }
      }
      return result;
    }
  }

  private static MigrationRow row(ResultSet rows) throws SQLException {
    return new MigrationRow(
        rows.getString("migration_id"),
        rows.getString("vm"),
        rows.getString("source_agent"),
        rows.getString("destination_agent"),
        rows.getString("options_json"),
        rows.getString("state"),
        rows.getString("step_command"),
        rows.getString("migrate_command"),
        rows.getString("check_source_command"),
        rows.getString("check_destination_command"),
        rows.getString("holder"),
        rows.getString("message"),
        Sql.instant(rows, "created_at"),
        Sql.instant(rows, "updated_at"));
  }
}
