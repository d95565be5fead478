package io.vmagent.backend.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads and writes agents: identity from registration, state from heartbeats, revocation. */
public final class AgentStore {
  private static final String COLUMNS =
      "agent_id, name, hostname, agent_version, libvirt_uri, hypervisor_json, capabilities_json,"
          + " heartbeat_interval_seconds, registered_at, revoked_at, last_heartbeat_at,"
          + " heartbeat_json, stopped_at, operations_json";
  private static final String QUALIFIED_COLUMNS = "a." + COLUMNS.replace(", ", ", a.");

  /** The agent, if registered. */
  public Optional<AgentRow> find(Connection c, String agentId) throws SQLException {
    return select(c, agentId, "");
  }

  /**
   * The agent, locked until the transaction ends: what is queued for it and the migrations of its
   * VMs are decided one at a time.
   */
  public Optional<AgentRow> findForUpdate(Connection c, String agentId) throws SQLException {
    return select(c, agentId, " FOR UPDATE");
  }

  private Optional<AgentRow> select(Connection c, String agentId, String lock) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + COLUMNS + " FROM agents WHERE agent_id = ?" + lock)) {
      s.setString(1, agentId);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next() ? Optional.of(row(rows)) : Optional.empty();
      }
    }
  }

  /**
   * What an agent's request stands on, read for every authenticated agent request in one query
   * rather than three.
   *
   * @param revoked whether an operator revoked the agent
   * @param chainRevoked whether the access token's token chain is revoked or unknown
   * @param boundKey base64 of the key the agent's id is bound to; null when none is
   */
  public record Standing(boolean revoked, boolean chainRevoked, String boundKey) {}

  /** The standing of {@code agentId} with a token of chain {@code familyId}; empty if unknown. */
  public Optional<Standing> standing(Connection c, String agentId, String familyId)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT a.revoked_at AS agent_revoked_at, f.family_id, f.revoked_at AS"
                + " family_revoked_at, i.public_key FROM agents a"
                + " LEFT JOIN token_families f ON f.family_id = ?"
                + " LEFT JOIN agent_identities i ON i.agent_id = a.agent_id"
                + " WHERE a.agent_id = ?")) {
      s.setString(1, familyId);
      s.setString(2, agentId);
      try (ResultSet rows = s.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Standing(
                Sql.instant(rows, "agent_revoked_at") != null,
                rows.getString("family_id") == null
                    || Sql.instant(rows, "family_revoked_at") != null,
                rows.getString("public_key")));
      }
    }
  }

  /** Every agent, ordered by id. */
  public List<AgentRow> list(Connection c) throws SQLException {
    try (PreparedStatement s =
            c.prepareStatement("SELECT " + COLUMNS + " FROM agents ORDER BY agent_id");
        ResultSet rows = s.executeQuery()) {
      List<AgentRow> agents = new ArrayList<>();
      while (rows.next()) {
        agents.add(row(rows));
      }
      return agents;
    }
  }

  /** Up to {@code limit} agents with ids after {@code after} (from the first when null), by id. */
  public List<AgentRow> page(Connection c, String after, int limit) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM agents"
                + (after == null ? "" : " WHERE agent_id > ?")
                + " ORDER BY agent_id LIMIT ?")) {
      int i = 1;
      if (after != null) {
        s.setString(i++, after);
      }
      s.setInt(i, limit);
      try (ResultSet rows = s.executeQuery()) {
        List<AgentRow> agents = new ArrayList<>();
        while (rows.next()) {
          agents.add(row(rows));
        }
        return agents;
      }
    }
  }

  /**
   * How many unrevoked agents are online and offline.
   *
   * @param online agents not stopped whose last heartbeat (or registration) is at most {@code
   *     missed} of their heartbeat intervals old
   * @param offline the other unrevoked agents
   */
  public record Counts(int online, int offline) {}

  /**
   * Counts agents by connectivity in one pass of the database, by the rule of {@code
   * AgentService.connectivity} (kept in step by the overview test that compares both).
   */
  public Counts countByConnectivity(Connection c, Instant now, int missed) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT COALESCE(SUM(CASE WHEN stopped_at IS NULL AND COALESCE(last_heartbeat_at,"
                + " registered_at) + heartbeat_interval_seconds * ? * INTERVAL '1' SECOND >= ?"
                + " THEN 1 ELSE 0 END), 0), COUNT(*) FROM agents WHERE revoked_at IS NULL")) {
      s.setInt(1, missed);
      Sql.setInstant(s, 2, now);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        int online = rows.getInt(1);
        return new Counts(online, rows.getInt(2) - online);
      }
    }
  }

  /** Inserts a new agent. */
  public void insert(Connection c, AgentRow agent) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO agents ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, agent.agentId());
      s.setString(2, agent.name());
      s.setString(3, agent.hostname());
      s.setString(4, agent.agentVersion());
      s.setString(5, agent.libvirtUri());
      Sql.setString(s, 6, agent.hypervisorJson());
      s.setString(7, agent.capabilitiesJson());
      s.setInt(8, agent.heartbeatIntervalSeconds());
      Sql.setInstant(s, 9, agent.registeredAt());
      Sql.setInstant(s, 10, agent.revokedAt());
      Sql.setInstant(s, 11, agent.lastHeartbeatAt());
      Sql.setString(s, 12, agent.heartbeatJson());
      Sql.setInstant(s, 13, agent.stoppedAt());
      Sql.setString(s, 14, agent.operationsJson());
      s.executeUpdate();
    }
  }

  /** Replaces a registered agent's identity (a re-registration); keeps its history. */
  public void updateIdentity(Connection c, AgentRow agent) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE agents SET name = ?, hostname = ?, agent_version = ?, libvirt_uri = ?,"
                + " hypervisor_json = ?, capabilities_json = ?, heartbeat_interval_seconds = ?,"
                + " operations_json = ? WHERE agent_id = ?")) {
      s.setString(1, agent.name());
      s.setString(2, agent.hostname());
      s.setString(3, agent.agentVersion());
      s.setString(4, agent.libvirtUri());
      Sql.setString(s, 5, agent.hypervisorJson());
      s.setString(6, agent.capabilitiesJson());
      s.setInt(7, agent.heartbeatIntervalSeconds());
      Sql.setString(s, 8, agent.operationsJson());
      s.setString(9, agent.agentId());
      s.executeUpdate();
    }
  }

  /**
   * What a heartbeat brings to the agent's row; a null field leaves its column as it was.
   *
   * @param stopping whether the agent said it is shutting down
   * @param protocolVersion the protocol the agent speaks now
   * @param capabilitiesJson with {@code operationsJson}, what the agent runs, as told by its first
   *     heartbeat of a run
   */
  public record Heartbeat(
      Instant at,
      String heartbeatJson,
      String agentVersion,
      Integer intervalSeconds,
      boolean stopping,
      Integer protocolVersion,
      String capabilitiesJson,
      String operationsJson) {}

  /** Records a heartbeat in one statement. */
  public void recordHeartbeat(Connection c, String agentId, Heartbeat beat) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE agents SET last_heartbeat_at = ?, heartbeat_json = ?, agent_version = ?,"
                + " heartbeat_interval_seconds = COALESCE(?, heartbeat_interval_seconds),"
                + " stopped_at = ?, protocol_version = COALESCE(?, protocol_version),"
                + " capabilities_json = COALESCE(?, capabilities_json),"
                + " operations_json = COALESCE(?, operations_json) WHERE agent_id = ?")) {
      Sql.setInstant(s, 1, beat.at());
      s.setString(2, beat.heartbeatJson());
      s.setString(3, beat.agentVersion());
      Sql.setInteger(s, 4, beat.intervalSeconds());
      Sql.setInstant(s, 5, beat.stopping() ? beat.at() : null);
      Sql.setInteger(s, 6, beat.protocolVersion());
      Sql.setString(s, 7, beat.capabilitiesJson());
      Sql.setString(s, 8, beat.operationsJson());
      s.setString(9, agentId);
      s.executeUpdate();
    }
  }

  /**
   * The agent as a heartbeat finds it, with what the heartbeat answers about its commands.
   *
   * @param protocolVersion the protocol the agent last said it speaks; null when it named none
   * @param leasable how many of its commands could be leased now
   * @param cancelRequested its leased commands without a result an operator asked to cancel, oldest
   *     first
   */
  public record BeforeHeartbeat(
      AgentRow agent, Integer protocolVersion, int leasable, List<String> cancelRequested) {}

  /** The agent and its commands' figures for a heartbeat, read in one query; empty if unknown. */
  public Optional<BeforeHeartbeat> beforeHeartbeat(Connection c, String agentId, Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT "
                + QUALIFIED_COLUMNS
                + ", a.protocol_version, (SELECT COUNT(*) FROM commands WHERE "
                + CommandStore.LEASABLE
                + ") AS leasable, c.command_id AS cancel_requested FROM agents a"
                + " LEFT JOIN commands c ON c.agent_id = a.agent_id AND "
                + CommandStore.CANCEL_REQUESTED
                + " WHERE a.agent_id = ? ORDER BY c.created_at, c.command_id")) {
      s.setString(1, agentId);
      Sql.setInstant(s, 2, now);
      Sql.setInstant(s, 3, now);
      s.setString(4, agentId);
      try (ResultSet rows = s.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        AgentRow agent = row(rows);
        Integer protocol = Sql.integer(rows, "protocol_version");
        int leasable = rows.getInt("leasable");
        List<String> cancelRequested = new ArrayList<>();
        do {
          String id = rows.getString("cancel_requested");
          if (id != null) {
            cancelRequested.add(id);
          }
        } while (rows.next());
        return Optional.of(new BeforeHeartbeat(agent, protocol, leasable, cancelRequested));
      }
    }
  }

  /** Records the protocol version the agent registered with (null: it named none, so 1). */
  public void recordProtocol(Connection c, String agentId, Integer protocolVersion)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("UPDATE agents SET protocol_version = ? WHERE agent_id = ?")) {
      s.setInt(1, protocolVersion == null ? 1 : protocolVersion);
      s.setString(2, agentId);
      s.executeUpdate();
    }
  }

  /** Marks the agent revoked; false when it does not exist. */
  public boolean revoke(Connection c, String agentId, Instant at) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE agents SET revoked_at = COALESCE(revoked_at, ?) WHERE agent_id = ?")) {
      Sql.setInstant(s, 1, at);
      s.setString(2, agentId);
      return s.executeUpdate() == 1;
    }
  }

  private static AgentRow row(ResultSet rows) throws SQLException {
    return new AgentRow(
        rows.getString("agent_id"),
        rows.getString("name"),
        rows.getString("hostname"),
        rows.getString("agent_version"),
        rows.getString("libvirt_uri"),
        rows.getString("hypervisor_json"),
        rows.getString("capabilities_json"),
        rows.getInt("heartbeat_interval_seconds"),
        Sql.instant(rows, "registered_at"),
        Sql.instant(rows, "revoked_at"),
        Sql.instant(rows, "last_heartbeat_at"),
        rows.getString("heartbeat_json"),
        Sql.instant(rows, "stopped_at"),
        rows.getString("operations_json"));
  }
}
