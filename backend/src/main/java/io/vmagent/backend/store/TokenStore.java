package io.vmagent.backend.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Bootstrap tokens, refresh-token families, operator tokens and public signing keys. */
public final class TokenStore {
  private static final String BOOTSTRAP_COLUMNS =
      "token_id, token_hash, description, single_use, created_at, expires_at, used_at,"
          + " used_by_agent, revoked, max_agents, agents_created";

  /** Stores a new bootstrap token. */
  public void insertBootstrap(Connection c, BootstrapTokenRow token) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO bootstrap_tokens ("
                + BOOTSTRAP_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, token.tokenId());
      s.setString(2, token.tokenHash());
      Sql.setString(s, 3, token.description());
      s.setBoolean(4, token.singleUse());
      Sql.setInstant(s, 5, token.createdAt());
      Sql.setInstant(s, 6, token.expiresAt());
      Sql.setInstant(s, 7, token.usedAt());
      Sql.setString(s, 8, token.usedByAgent());
      s.setBoolean(9, token.revoked());
      Sql.setInteger(s, 10, token.maxAgents());
      s.setInt(11, token.agentsCreated());
      s.executeUpdate();
    }
  }

  /** The bootstrap token with this hash. */
  public Optional<BootstrapTokenRow> findBootstrapByHash(Connection c, String hash)
      throws SQLException {
    return findBootstrap(c, "token_hash", hash);
  }

  /** The bootstrap token with this id. */
  public Optional<BootstrapTokenRow> findBootstrapById(Connection c, String id)
      throws SQLException {
    return findBootstrap(c, "token_id", id);
  }

  private Optional<BootstrapTokenRow> findBootstrap(Connection c, String column, String value)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT " + BOOTSTRAP_COLUMNS + " FROM bootstrap_tokens WHERE " + column + " = ?")) {
      s.setString(1, value);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next() ? Optional.of(bootstrap(rows)) : Optional.empty();
      }
    }
  }

  /** Every bootstrap token, newest first. */
  public List<BootstrapTokenRow> listBootstrap(Connection c) throws SQLException {
    try (PreparedStatement s =
            c.prepareStatement(
                "SELECT " + BOOTSTRAP_COLUMNS + " FROM bootstrap_tokens ORDER BY created_at DESC");
        ResultSet rows = s.executeQuery()) {
      List<BootstrapTokenRow> tokens = new ArrayList<>();
      while (rows.next()) {
        tokens.add(bootstrap(rows));
      }
      return tokens;
    }
  }

  /**
   * Records that an agent registered with the token. For a single-use token this succeeds only for
   * the first agent (or that same agent again); false means another agent holds it.
   */
  public boolean markBootstrapUsed(Connection c, String tokenId, String agentId, Instant at)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE bootstrap_tokens SET used_at = COALESCE(used_at, ?),"
                + " used_by_agent = COALESCE(used_by_agent, ?)"
                + " WHERE token_id = ? AND (single_use = FALSE OR used_by_agent IS NULL"
                + " OR used_by_agent = ?)")) {
      Sql.setInstant(s, 1, at);
      s.setString(2, agentId);
      s.setString(3, tokenId);
      s.setString(4, agentId);
      return s.executeUpdate() == 1;
    }
  }

  /**
   * Counts one more agent created with the token; false when its {@code max_agents} is reached. One
   * conditional update, so concurrent registrations cannot overshoot the limit.
   */
  public boolean countAgentCreated(Connection c, String tokenId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE bootstrap_tokens SET agents_created = agents_created + 1"
                + " WHERE token_id = ? AND (max_agents IS NULL OR agents_created < max_agents)")) {
      s.setString(1, tokenId);
      return s.executeUpdate() == 1;
    }
  }

  /** Revokes a bootstrap token; false when it does not exist. */
  public boolean revokeBootstrap(Connection c, String tokenId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("UPDATE bootstrap_tokens SET revoked = TRUE WHERE token_id = ?")) {
      s.setString(1, tokenId);
      return s.executeUpdate() == 1;
    }
  }

  /** Starts a token family for a registration. */
  public void insertFamily(Connection c, String familyId, String agentId, Instant at)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO token_families (family_id, agent_id, created_at) VALUES (?, ?, ?)")) {
      s.setString(1, familyId);
      s.setString(2, agentId);
      Sql.setInstant(s, 3, at);
      s.executeUpdate();
    }
  }

  /** Revokes one family. */
  public void revokeFamily(Connection c, String familyId, String reason, Instant at)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE token_families SET revoked_at = ?, revoke_reason = ?"
                + " WHERE family_id = ? AND revoked_at IS NULL")) {
      Sql.setInstant(s, 1, at);
      s.setString(2, reason);
      s.setString(3, familyId);
      s.executeUpdate();
    }
  }

  /** Revokes every live family of an agent. */
  public void revokeFamiliesOf(Connection c, String agentId, String reason, Instant at)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE token_families SET revoked_at = ?, revoke_reason = ?"
                + " WHERE agent_id = ? AND revoked_at IS NULL")) {
      Sql.setInstant(s, 1, at);
      s.setString(2, reason);
      s.setString(3, agentId);
      s.executeUpdate();
    }
  }

  /** When the family was revoked; empty when it is live, or when it does not exist. */
  public Optional<Instant> familyRevokedAt(Connection c, String familyId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT revoked_at FROM token_families WHERE family_id = ?")) {
      s.setString(1, familyId);
      try (ResultSet rows = s.executeQuery()) {
        if (!rows.next()) {
          return Optional.of(Instant.EPOCH);
        }
        return Optional.ofNullable(Sql.instant(rows, "revoked_at"));
      }
    }
  }

  /** Stores a new refresh token. */
  public void insertRefresh(
      Connection c, String hash, String familyId, String agentId, Instant issued, Instant expires)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO refresh_tokens (token_hash, family_id, agent_id, issued_at, expires_at)"
                + " VALUES (?, ?, ?, ?, ?)")) {
      s.setString(1, hash);
      s.setString(2, familyId);
      s.setString(3, agentId);
      Sql.setInstant(s, 4, issued);
      Sql.setInstant(s, 5, expires);
      s.executeUpdate();
    }
  }

  /** The refresh token with this hash and its family's state. */
  public Optional<RefreshTokenRow> findRefresh(Connection c, String hash) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT r.token_hash, r.family_id, r.agent_id, r.expires_at, r.used_at,"
                + " f.revoked_at AS family_revoked_at FROM refresh_tokens r"
                + " JOIN token_families f ON f.family_id = r.family_id WHERE r.token_hash = ?")) {
      s.setString(1, hash);
      try (ResultSet rows = s.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new RefreshTokenRow(
                rows.getString("token_hash"),
                rows.getString("family_id"),
                rows.getString("agent_id"),
                Sql.instant(rows, "expires_at"),
                Sql.instant(rows, "used_at"),
                Sql.instant(rows, "family_revoked_at")));
      }
    }
  }

  /** Spends a refresh token; false when it was already spent (a reuse). */
  public boolean spendRefresh(Connection c, String hash, Instant at) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL")) {
      Sql.setInstant(s, 1, at);
      s.setString(2, hash);
      return s.executeUpdate() == 1;
    }
  }

  /** Registers an operator token's hash; does nothing when it is known already. */
  public void ensureOperatorToken(Connection c, String hash, Instant at) throws SQLException {
    if (!operatorTokenKnown(c, hash)) {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO operator_tokens (token_hash, created_at) VALUES (?, ?)")) {
        s.setString(1, hash);
        Sql.setInstant(s, 2, at);
        s.executeUpdate();
      } catch (SQLException e) {
        if (!Sql.isDuplicateKey(e)) {
          throw e;
        }
      }
    }
  }

  /** True when this hash belongs to an operator token. */
  public boolean operatorTokenKnown(Connection c, String hash) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT 1 FROM operator_tokens WHERE token_hash = ?")) {
      s.setString(1, hash);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next();
      }
    }
  }

  /** Publishes a public signing key; does nothing when its key id is known already. */
  public void ensureSigningKey(Connection c, String kid, String publicJwk, Instant at)
      throws SQLException {
    if (signingKey(c, kid).isEmpty()) {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO signing_keys (kid, public_jwk, created_at) VALUES (?, ?, ?)")) {
        s.setString(1, kid);
        s.setString(2, publicJwk);
        Sql.setInstant(s, 3, at);
        s.executeUpdate();
      } catch (SQLException e) {
        if (!Sql.isDuplicateKey(e)) {
          throw e;
        }
      }
    }
  }

  /** The public JWK with this key id. */
  public Optional<String> signingKey(Connection c, String kid) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT public_jwk FROM signing_keys WHERE kid = ?")) {
      s.setString(1, kid);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
      }
    }
  }

  /** Every public signing key, oldest first. */
  public List<String> signingKeys(Connection c) throws SQLException {
    try (PreparedStatement s =
            c.prepareStatement("SELECT public_jwk FROM signing_keys ORDER BY created_at");
        ResultSet rows = s.executeQuery()) {
      List<String> keys = new ArrayList<>();
      while (rows.next()) {
        keys.add(rows.getString(1));
      }
      return keys;
    }
  }

  private static BootstrapTokenRow bootstrap(ResultSet rows) throws SQLException {
    return new BootstrapTokenRow(
        rows.getString("token_id"),
        rows.getString("token_hash"),
        rows.getString("description"),
        rows.getBoolean("single_use"),
        Sql.instant(rows, "created_at"),
        Sql.instant(rows, "expires_at"),
        Sql.instant(rows, "used_at"),
        rows.getString("used_by_agent"),
        rows.getBoolean("revoked"),
        Sql.integer(rows, "max_agents"),
        rows.getInt("agents_created"));
  }
}
