package io.vmagent.backend.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The command queue. Leasing is done in the database so that several backend instances sharing one
 * PostgreSQL database never lease the same command twice at once.
 */
public final class CommandStore {
  private static final String COLUMNS =
      "command_id, agent_id, operation, params_json, state, created_at, deadline,"
          + " lease_expires_at, deliveries, result_json, finished_at, late_result_json, vm,"
          + " cancel_requested_at";

  // A command can be leased when it is queued, or leased with a lease that ran out, and its
  // deadline has not passed. Parameters: the agent, now, now.
  static final String LEASABLE =
      "agent_id = ? AND deadline > ? AND (state = 'queued'"
          + " OR (state = 'leased' AND lease_expires_at <= ? AND cancel_requested_at IS NULL))";

  // A leased command an operator asked to cancel that has no result yet, the table named c.
  static final String CANCEL_REQUESTED =
      "c.state = 'leased' AND c.result_json IS NULL AND c.cancel_requested_at IS NOT NULL";

  // A command is overdue when its deadline passed before it was delivered, or before a lapsed
  // lease was renewed, and no result came. Parameters: now, now. The states are named in an IN
  // list so that H2 too finds them through the index on (state, deadline): for an OR of the two
  // states it scans the table.
  private static final String OVERDUE =
      "state IN ('queued', 'leased') AND deadline <= ? AND result_json IS NULL"
          + " AND (state = 'queued' OR lease_expires_at <= ?)";

  private final Dialect dialect;

  /** A store speaking this dialect. */
  public CommandStore(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Queues a new command. */
  public void insert(Connection c, CommandRow command) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO commands ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, command.commandId());
      s.setString(2, command.agentId());
      s.setString(3, command.operation());
      s.setString(4, command.paramsJson());
      s.setString(5, command.state());
      Sql.setInstant(s, 6, command.createdAt());
      Sql.setInstant(s, 7, command.deadline());
      Sql.setInstant(s, 8, command.leaseExpiresAt());
      s.setInt(9, command.deliveries());
      Sql.setString(s, 10, command.resultJson());
      Sql.setInstant(s, 11, command.finishedAt());
      Sql.setString(s, 12, command.lateResultJson());
      Sql.setString(s, 13, command.vm());
      Sql.setInstant(s, 14, command.cancelRequestedAt());
      s.executeUpdate();
    }
  }

  /** The command with this id. */
  public Optional<CommandRow> find(Connection c, String commandId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + COLUMNS + " FROM commands WHERE command_id = ?")) {
      s.setString(1, commandId);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next() ? Optional.of(row(rows)) : Optional.empty();
      }
    }
  }

  /**
   * Leases up to {@code max} of the agent's leasable commands until {@code leaseUntil}, oldest
   * first. Must run inside a transaction.
   */
  public List<CommandRow> lease(
      Connection c, String agentId, int max, Instant now, Instant leaseUntil) throws SQLException {
    List<CommandRow> leased =
        dialect == Dialect.POSTGRESQL
            ? leaseSkipLocked(c, agentId, max, now, leaseUntil)
            : leaseConditionally(c, agentId, max, now, leaseUntil);
    leased.sort(Comparator.comparing(CommandRow::createdAt).thenComparing(CommandRow::commandId));
    return leased;
  }

  // PostgreSQL: rows another instance is leasing right now are skipped, not waited for.
  private List<CommandRow> leaseSkipLocked(
      Connection c, String agentId, int max, Instant now, Instant leaseUntil) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE commands SET state = 'leased', lease_expires_at = ?,"
                + " deliveries = deliveries + 1 WHERE command_id IN (SELECT command_id FROM"
                + " commands WHERE "
                + LEASABLE
                + " ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING "
                + COLUMNS)) {
      Sql.setInstant(s, 1, leaseUntil);
      s.setString(2, agentId);
      Sql.setInstant(s, 3, now);
      Sql.setInstant(s, 4, now);
      s.setInt(5, max);
      try (ResultSet rows = s.executeQuery()) {
        List<CommandRow> leased = new ArrayList<>();
        while (rows.next()) {
          leased.add(row(rows));
        }
        return leased;
      }
    }
  }

  // H2 (one process): each candidate is taken with an UPDATE that re-checks it is still
  // leasable; the row lock makes a concurrent taker see zero rows updated and move on. The
  // UPDATE's FINAL TABLE answers the leased row, so it is not read again.
  private List<CommandRow> leaseConditionally(
      Connection c, String agentId, int max, Instant now, Instant leaseUntil) throws SQLException {
    List<String> candidates = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT command_id FROM commands WHERE " + LEASABLE + " ORDER BY created_at LIMIT ?")) {
      s.setString(1, agentId);
      Sql.setInstant(s, 2, now);
      Sql.setInstant(s, 3, now);
      s.setInt(4, max);
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          candidates.add(rows.getString(1));
        }
      }
    }
    List<CommandRow> leased = new ArrayList<>();
    for (String id : candidates) {
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT "
                  + COLUMNS
                  + " FROM FINAL TABLE (UPDATE commands SET state = 'leased',"
                  + " lease_expires_at = ?, deliveries = deliveries + 1 WHERE command_id = ? AND "
                  + LEASABLE
                  + ")")) {
        Sql.setInstant(s, 1, leaseUntil);
        s.setString(2, id);
        s.setString(3, agentId);
        Sql.setInstant(s, 4, now);
        Sql.setInstant(s, 5, now);
        try (ResultSet rows = s.executeQuery()) {
          if (rows.next()) {
            leased.add(row(rows));
          }
        }
      }
    }
    return leased;
  }

  /** Marks the agent's commands whose deadline passed before any delivery finished as expired. */
  public void expireOverdue(Connection c, String agentId, Instant now) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE commands SET state = 'expired', finished_at = ? WHERE agent_id = ? AND "
                + OVERDUE)) {
      Sql.setInstant(s, 1, now);
      s.setString(2, agentId);
      Sql.setInstant(s, 3, now);
      Sql.setInstant(s, 4, now);
      s.executeUpdate();
    }
  }

  /**
   * Marks every agent's overdue commands as expired, as {@link #expireOverdue} does for one; how
   * many it marked. On PostgreSQL a command another instance is changing right now is skipped, not
   * waited for: two instances sweeping at once never wait on each other.
   */
  public int expireAllOverdue(Connection c, Instant now) throws SQLException {
    String overdue =
        dialect == Dialect.POSTGRESQL
            ? "command_id IN (SELECT command_id FROM commands WHERE "
                + OVERDUE
                + " FOR UPDATE SKIP LOCKED)"
            : OVERDUE;
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE commands SET state = 'expired', finished_at = ? WHERE " + overdue)) {
      Sql.setInstant(s, 1, now);
      Sql.setInstant(s, 2, now);
      Sql.setInstant(s, 3, now);
      return s.executeUpdate();
    }
  }

  /**
   * Stores the first result for a command leased to this agent; false when the command takes none
   * (it has one already, is not leased, or is not this agent's: the caller tells them apart). A
   * command still leased takes its result even when its lease ran out meanwhile: the agent may have
   * been slow, and nothing has been decided about the command since.
   */
  public boolean recordResult(
      Connection c, String commandId, String agentId, String state, String resultJson, Instant at)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE commands SET state = ?, result_json = ?, finished_at = ?"
                + " WHERE command_id = ? AND agent_id = ? AND state = 'leased'"
                + " AND result_json IS NULL")) {
      s.setString(1, state);
      s.setString(2, resultJson);
      Sql.setInstant(s, 3, at);
      s.setString(4, commandId);
      s.setString(5, agentId);
      return s.executeUpdate() == 1;
    }
  }

  /** Keeps a result that came too late, unless one was kept already. */
  public void recordLateResult(Connection c, String commandId, String resultJson)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE commands SET late_result_json = ?"
                + " WHERE command_id = ? AND late_result_json IS NULL")) {
      s.setString(1, resultJson);
      s.setString(2, commandId);
      s.executeUpdate();
    }
  }

  /** The agents that have commands which could be leased now. */
  public java.util.Set<String> agentsWithLeasable(Connection c, Instant now) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            // As LEASABLE for every agent, the states in an IN list as in OVERDUE so that H2 finds
            // them through the (state, deadline) index. LEASABLE keeps its OR: with the agent
            // given, H2 then takes the (agent_id, state) index, where an IN list sends it to
            // (state, deadline) instead.
            "SELECT DISTINCT agent_id FROM commands WHERE state IN ('queued', 'leased')"
                + " AND deadline > ? AND (state = 'queued'"
                + " OR (lease_expires_at <= ? AND cancel_requested_at IS NULL))")) {
      Sql.setInstant(s, 1, now);
      Sql.setInstant(s, 2, now);
      try (ResultSet rows = s.executeQuery()) {
        java.util.Set<String> agents = new java.util.HashSet<>();
        while (rows.next()) {
          agents.add(rows.getString(1));
        }
        return agents;
      }
    }
  }

  /** How many of the agent's commands are not finished (queued or leased, deadline ahead). */
  public int countUnfinished(Connection c, String agentId, Instant now) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT COUNT(*) FROM commands WHERE agent_id = ? AND result_json IS NULL"
                + " AND state IN ('queued', 'leased') AND deadline > ?")) {
      s.setString(1, agentId);
      Sql.setInstant(s, 2, now);
      return count(s);
    }
  }

  /** How many commands are kept in each state, by state's stored name; absent states have none. */
  public java.util.Map<String, Integer> countByState(Connection c) throws SQLException {
    try (PreparedStatement s =
            c.prepareStatement("SELECT state, COUNT(*) FROM commands GROUP BY state");
        ResultSet rows = s.executeQuery()) {
      java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
      while (rows.next()) {
        counts.put(rows.getString(1), rows.getInt(2));
      }
      return counts;
    }
  }

  private static int count(PreparedStatement s) throws SQLException {
    try (ResultSet rows = s.executeQuery()) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static CommandRow row(ResultSet rows) throws SQLException {
    return new CommandRow(
        rows.getString("command_id"),
        rows.getString("agent_id"),
        rows.getString("operation"),
        rows.getString("params_json"),
        rows.getString("state"),
        Sql.instant(rows, "created_at"),
        Sql.instant(rows, "deadline"),
        Sql.instant(rows, "lease_expires_at"),
        rows.getInt("deliveries"),
        rows.getString("result_json"),
        Sql.instant(rows, "finished_at"),
        rows.getString("late_result_json"),
        rows.getString("vm"),
        Sql.instant(rows, "cancel_requested_at"));
  }

  /**
   * Which commands a page holds; every field may be null for "any".
   *
   * @param since queued at or after
   * @param until queued before
   * @param after the id of the last command of the previous page
   */
  public record Filter(
      String agentId,
      String vm,
      String operation,
      String state,
      Instant since,
      Instant until,
      String after) {}

  /** Up to {@code limit} commands the filter admits, newest first. */
  public List<CommandRow> page(Connection c, Filter filter, int limit) throws SQLException {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> values = new ArrayList<>();
    condition(where, values, " AND agent_id = ?", filter.agentId());
    condition(where, values, " AND vm = ?", filter.vm());
    condition(where, values, " AND operation = ?", filter.operation());
    condition(where, values, " AND state = ?", filter.state());
    condition(where, values, " AND created_at >= ?", filter.since());
    condition(where, values, " AND created_at < ?", filter.until());
    if (filter.after() != null) {
      where.append(
          " AND (created_at < (SELECT created_at FROM commands WHERE command_id = ?)"
              + " OR (created_at = (SELECT created_at FROM commands WHERE command_id = ?)"
              + " AND command_id < ?))");
      values.add(filter.after());
      values.add(filter.after());
      values.add(filter.after());
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM commands"
                + where
                + " ORDER BY created_at DESC, command_id DESC LIMIT ?")) {
      int i = 1;
      for (Object value : values) {
        if (value instanceof Instant at) {
          Sql.setInstant(s, i++, at);
        } else {
          s.setString(i++, (String) value);
        }
      }
      s.setInt(i, limit);
      List<CommandRow> page = new ArrayList<>();
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          page.add(row(rows));
        }
      }
      return page;
    }
  }

  private static void condition(
      StringBuilder where, List<Object> values, String sql, Object value) {
    if (value != null) {
      where.append(sql);
      values.add(value);
    }
  }

  /**
   * Cancels the command if no agent holds it: queued, or leased with its lease run out. False when
   * an agent holds it or it has finished.
   */
  public boolean cancel(Connection c, String commandId, Instant now) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE commands SET state = 'cancelled', finished_at = ? WHERE command_id = ?"
                + " AND result_json IS NULL AND (state = 'queued'"
                + " OR (state = 'leased' AND lease_expires_at <= ?))")) {
      Sql.setInstant(s, 1, now);
      s.setString(2, commandId);
      Sql.setInstant(s, 3, now);
      return s.executeUpdate() == 1;
    }
  }

  /**
   * The protocol an agent registered with, and the ids of its leased commands an operator asked to
   * cancel that have no result yet, oldest first.
   *
   * @param protocolVersion null for an agent that named none (or that is not stored)
   */
  public record CancelRequests(Integer protocolVersion, List<String> commandIds) {}

  /** The agent's {@link CancelRequests}, in one read. */
  public CancelRequests cancelRequested(Connection c, String agentId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT a.protocol_version, c.command_id FROM agents a"
                + " LEFT JOIN commands c ON c.agent_id = a.agent_id AND "
                + CANCEL_REQUESTED
                + " WHERE a.agent_id = ? ORDER BY c.created_at, c.command_id")) {
      s.setString(1, agentId);
      Integer protocol = null;
      List<String> ids = new ArrayList<>();
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          protocol = Sql.integer(rows, "protocol_version");
          String id = rows.getString("command_id");
          if (id != null) {
            ids.add(id);
          }
        }
      }
      return new CancelRequests(protocol, ids);
    }
  }

  /** Records that the operator wants the leased command stopped; false if it is not leased. */
  public boolean requestCancel(Connection c, String commandId, Instant now) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE commands SET cancel_requested_at = ? WHERE command_id = ?"
                + " AND state = 'leased' AND cancel_requested_at IS NULL")) {
      Sql.setInstant(s, 1, now);
      s.setString(2, commandId);
      return s.executeUpdate() == 1;
    }
  }
}
