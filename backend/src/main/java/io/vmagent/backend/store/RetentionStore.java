package io.vmagent.backend.store;

import io.vmagent.backend.config.Retention;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * Deletes rows past their retention, at most a batch per statement. Each statement finds its rows
 * through an index on the timestamp that ages them (V5 migration), so one batch is a short
 * transaction whatever the size of the table. PostgreSQL has no limit on DELETE, so it deletes
 * {@code WHERE (key) IN (SELECT key ... LIMIT n)}; H2 evaluates that row-value IN row by row (5 s
 * for 2,500 samples) and takes {@code DELETE ... FETCH FIRST n ROWS ONLY} instead.
 */
public final class RetentionStore {
  /** What is pruned, in this order (a revoked chain's tokens before the chain itself). */
  public enum Prunable {
    METRICS_SAMPLES(
        "metrics samples", "metrics_samples", "agent_id, sample_time", "t.received_at < ?"),
    METRICS_HISTORY(
        "metrics history buckets",
        "metrics_rollup",
        "agent_id, vm_name, bucket_start, series",
        "t.received_at < ?"),
    EVENTS("events", "vm_events", "agent_id, sequence_no", "t.received_at < ?"),
    COMMANDS(
        "commands",
        "commands",
        "command_id",
        "t.finished_at < ? AND t.state IN ('succeeded', 'failed', 'expired')"),
    SPENT_REFRESH_TOKENS("refresh tokens", "refresh_tokens", "token_hash", "t.used_at < ?"),
    EXPIRED_REFRESH_TOKENS("refresh tokens", "refresh_tokens", "token_hash", "t.expires_at < ?"),
    REVOKED_REFRESH_TOKENS(
        "refresh tokens",
        "refresh_tokens",
        "token_hash",
        "t.family_id IN (SELECT f.family_id FROM token_families f WHERE f.revoked_at < ?)"),
    REVOKED_TOKEN_FAMILIES(
        "token chains",
        "token_families",
        "family_id",
        "t.revoked_at < ? AND NOT EXISTS"
            + " (SELECT 1 FROM refresh_tokens r WHERE r.family_id = t.family_id)"),
    USED_BOOTSTRAP_TOKENS(
        "bootstrap tokens",
        "bootstrap_tokens",
        "token_id",
        "t.single_use = TRUE AND t.used_at < ?"),
    EXPIRED_BOOTSTRAP_TOKENS(
        "bootstrap tokens", "bootstrap_tokens", "token_id", "t.expires_at < ?"),
    // A challenge is worth nothing once expired (a minute); an agent that asked and never came
    // back leaves at most four.
    EXPIRED_CHALLENGES(
        "identity challenges", "identity_challenges", "challenge_hash", "t.expires_at < ?");

    private final String label;
    private final String postgresql;
    private final String h2;

    Prunable(String label, String table, String key, String olderThan) {
      this.label = label;
      this.h2 = "DELETE FROM " + table + " t WHERE " + olderThan + " FETCH FIRST ? ROWS ONLY";
      this.postgresql =
          "DELETE FROM "
              + table
              + " WHERE ("
              + key
              + ") IN (SELECT "
              + key
              + " FROM "
              + table
              + " t WHERE "
              + olderThan
              + " LIMIT ?)";
    }

    /** How log lines name what was pruned; several kinds can share one label. */
    public String label() {
      return label;
    }

    /** How long rows of this kind are kept, by the policy. */
    public Duration period(Retention retention) {
      return switch (this) {
        case METRICS_SAMPLES -> retention.metrics();
        case METRICS_HISTORY -> retention.metricsHistory();
        case EVENTS -> retention.events();
        case COMMANDS -> retention.commands();
        case EXPIRED_CHALLENGES -> Duration.ZERO;
        case SPENT_REFRESH_TOKENS,
            EXPIRED_REFRESH_TOKENS,
            REVOKED_REFRESH_TOKENS,
            REVOKED_TOKEN_FAMILIES,
            USED_BOOTSTRAP_TOKENS,
            EXPIRED_BOOTSTRAP_TOKENS ->
            retention.tokens();
      };
    }
  }

  private final Dialect dialect;

  /** A store speaking this dialect. */
  public RetentionStore(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Deletes at most {@code limit} rows of the kind that became old before {@code before}. */
  public int delete(Connection c, Prunable kind, Instant before, int limit) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(dialect == Dialect.POSTGRESQL ? kind.postgresql : kind.h2)) {
      Sql.setInstant(s, 1, before);
      s.setInt(2, limit);
      return s.executeUpdate();
    }
  }
}
