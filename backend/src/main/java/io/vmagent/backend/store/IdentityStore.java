package io.vmagent.backend.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** The keys agent ids are bound to, the challenges for proving possession, and the fleet's CA. */
public final class IdentityStore {
  private static final String COLUMNS =
      "agent_id, public_key, key_bound_at, bootstrap_token_id, released_at";

  /** The agent's identity row; an agent registered before keys existed may have none. */
  public Optional<IdentityRow> find(Connection c, String agentId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + COLUMNS + " FROM agent_identities WHERE agent_id = ?")) {
      s.setString(1, agentId);
      try (ResultSet rows = s.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new IdentityRow(
                rows.getString("agent_id"),
                rows.getString("public_key"),
                Sql.instant(rows, "key_bound_at"),
                rows.getString("bootstrap_token_id"),
                Sql.instant(rows, "released_at")));
      }
    }
  }

  /** Inserts or replaces the agent's identity row. */
  public void save(Connection c, IdentityRow row) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE agent_identities SET public_key = ?, key_bound_at = ?,"
                + " bootstrap_token_id = ?, released_at = ? WHERE agent_id = ?")) {
      Sql.setString(s, 1, row.publicKey());
      Sql.setInstant(s, 2, row.keyBoundAt());
      Sql.setString(s, 3, row.bootstrapTokenId());
      Sql.setInstant(s, 4, row.releasedAt());
      s.setString(5, row.agentId());
      if (s.executeUpdate() == 1) {
        return;
      }
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO agent_identities (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)")) {
      s.setString(1, row.agentId());
      Sql.setString(s, 2, row.publicKey());
      Sql.setInstant(s, 3, row.keyBoundAt());
      Sql.setString(s, 4, row.bootstrapTokenId());
      Sql.setInstant(s, 5, row.releasedAt());
      s.executeUpdate();
    }
  }

  /**
   * Stores a challenge for the agent and keeps only its newest {@code keep}, so nobody can make an
   * agent's challenges pile up.
   */
  public void addChallenge(
      Connection c, String agentId, String challengeHash, Instant expiresAt, Instant now, int keep)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "DELETE FROM identity_challenges WHERE agent_id = ? AND expires_at <= ?")) {
      s.setString(1, agentId);
      Sql.setInstant(s, 2, now);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO identity_challenges (challenge_hash, agent_id, expires_at)"
                + " VALUES (?, ?, ?)")) {
      s.setString(1, challengeHash);
      s.setString(2, agentId);
      Sql.setInstant(s, 3, expiresAt);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT challenge_hash FROM identity_challenges WHERE agent_id = ?"
                + " ORDER BY expires_at DESC")) {
      s.setString(1, agentId);
      try (ResultSet rows = s.executeQuery()) {
        int n = 0;
        while (rows.next()) {
          if (++n > keep) {
            deleteChallenge(c, rows.getString(1));
          }
        }
      }
    }
  }

  /**
   * Spends the agent's challenge: true when it existed for this agent and had not expired. It is
   * deleted either way, so a proof over it can never be replayed.
   */
  public boolean spendChallenge(Connection c, String agentId, String challengeHash, Instant now)
      throws SQLException {
    Instant expires;
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT expires_at FROM identity_challenges WHERE challenge_hash = ?"
                + " AND agent_id = ?")) {
      s.setString(1, challengeHash);
      s.setString(2, agentId);
      try (ResultSet rows = s.executeQuery()) {
        if (!rows.next()) {
          return false;
        }
        expires = Sql.instant(rows, "expires_at");
      }
    }
    // Two requests racing with one proof: only the one whose DELETE removed the row wins.
    return deleteChallenge(c, challengeHash) && expires.isAfter(now);
  }

  private static boolean deleteChallenge(Connection c, String challengeHash) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM identity_challenges WHERE challenge_hash = ?")) {
      s.setString(1, challengeHash);
      return s.executeUpdate() == 1;
    }
  }

  /** The fleet CA's certificate and key (PEM), when an instance stored them. */
  public Optional<String[]> fleetCa(Connection c) throws SQLException {
    try (PreparedStatement s =
            c.prepareStatement("SELECT certificate_pem, key_pem FROM fleet_ca WHERE ca_id = 1");
        ResultSet rows = s.executeQuery()) {
      return rows.next()
          ? Optional.of(new String[] {rows.getString(1), rows.getString(2)})
          : Optional.empty();
    }
  }

  /** Stores the fleet CA; false when another instance stored one first. */
  public boolean storeFleetCa(Connection c, String certificatePem, String keyPem, Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO fleet_ca (ca_id, certificate_pem, key_pem, created_at)"
                + " VALUES (1, ?, ?, ?)")) {
      s.setString(1, certificatePem);
      s.setString(2, keyPem);
      Sql.setInstant(s, 3, now);
      s.executeUpdate();
      return true;
    } catch (SQLException e) {
      if (Sql.isDuplicateKey(e)) {
        return false;
      }
      throw e;
    }
  }
}
