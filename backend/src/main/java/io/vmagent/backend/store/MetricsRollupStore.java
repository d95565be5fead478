package io.vmagent.backend.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The metrics history: per agent, VM ({@code ""} for the host), minute and series, the count, sum
 * and maximum of the values the samples held, added to as samples are stored and read back
 * aggregated to any step that is a whole number of minutes.
 */
public final class MetricsRollupStore {
  /** The length of a bucket, in seconds. */
  public static final int BUCKET_SECONDS = 60;

  /**
   * What some samples of one minute held for one series.
   *
   * @param vm the VM's name, {@code ""} for the host
   * @param bucketStart the minute, in epoch seconds
   */
  public record Bucket(
      String vm, String series, long bucketStart, int count, double sum, double max) {}

  /**
   * One series over one step.
   *
   * @param slot the step's place in the range, from 0
   */
  public record Point(String series, int slot, long count, double sum, double max) {}

  // PostgreSQL 10 has no MERGE, H2 no ON CONFLICT; both add to a bucket in one statement.
  private static final String POSTGRESQL_ADD =
      "INSERT INTO metrics_rollup AS t (agent_id, vm_name, bucket_start, series, sample_count,"
          + " value_sum, value_max, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (agent_id, vm_name, bucket_start, series) DO UPDATE SET"
          + " sample_count = t.sample_count + EXCLUDED.sample_count,"
          + " value_sum = t.value_sum + EXCLUDED.value_sum,"
          + " value_max = GREATEST(t.value_max, EXCLUDED.value_max),"
          + " received_at = EXCLUDED.received_at";
  private static final String H2_ADD =
      "MERGE INTO metrics_rollup t USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(255)),"
          + " CAST(? AS BIGINT), CAST(? AS VARCHAR(32)), CAST(? AS INTEGER),"
          + " CAST(? AS DOUBLE PRECISION), CAST(? AS DOUBLE PRECISION),"
          + " CAST(? AS TIMESTAMP WITH TIME ZONE)))"
          + " s (agent_id, vm_name, bucket_start, series, sample_count, value_sum, value_max,"
          + " received_at)"
          + " ON t.agent_id = s.agent_id AND t.vm_name = s.vm_name"
          + " AND t.bucket_start = s.bucket_start AND t.series = s.series"
          + " WHEN MATCHED THEN UPDATE SET sample_count = t.sample_count + s.sample_count,"
          + " value_sum = t.value_sum + s.value_sum,"
          + " value_max = GREATEST(t.value_max, s.value_max), received_at = s.received_at"
          + " WHEN NOT MATCHED THEN INSERT (agent_id, vm_name, bucket_start, series, sample_count,"
          + " value_sum, value_max, received_at) VALUES (s.agent_id, s.vm_name, s.bucket_start,"
          + " s.series, s.sample_count, s.value_sum, s.value_max, s.received_at)";

  private final Dialect dialect;

  /** A store speaking this dialect. */
  public MetricsRollupStore(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Adds each bucket's figures to what the agent's bucket holds already. */
  public void add(Connection c, String agentId, List<Bucket> buckets, Instant receivedAt)
      throws SQLException {
    if (buckets.isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement(dialect == Dialect.POSTGRESQL ? POSTGRESQL_ADD : H2_ADD)) {
      for (Bucket bucket : buckets) {
        s.setString(1, agentId);
        s.setString(2, bucket.vm());
        s.setLong(3, bucket.bucketStart());
        s.setString(4, bucket.series());
        s.setInt(5, bucket.count());
        s.setDouble(6, bucket.sum());
        s.setDouble(7, bucket.max());
        Sql.setInstant(s, 8, receivedAt);
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /**
   * The buckets of the agent's VM ({@code ""} for the host) from {@code from} (included, epoch
   * seconds, a multiple of the step) to {@code to} (not included), summed per series and step.
   */
  public List<Point> points(
      Connection c, String agentId, String vm, long from, long to, int stepSeconds)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT series, slot, SUM(sample_count) AS n, SUM(value_sum) AS total,"
                + " MAX(value_max) AS top FROM (SELECT series, (bucket_start - ?) / ? AS slot,"
                + " sample_count, value_sum, value_max FROM metrics_rollup WHERE agent_id = ?"
                + " AND vm_name = ? AND bucket_start >= ? AND bucket_start < ?) r"
                + " GROUP BY series, slot")) {
      s.setLong(1, from);
      s.setLong(2, stepSeconds);
      s.setString(3, agentId);
      s.setString(4, vm);
      s.setLong(5, from);
      s.setLong(6, to);
      List<Point> points = new ArrayList<>();
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          points.add(
              new Point(
                  rows.getString("series"),
                  rows.getInt("slot"),
                  rows.getLong("n"),
                  rows.getDouble("total"),
                  rows.getDouble("top")));
        }
      }
      return points;
    }
  }
}
