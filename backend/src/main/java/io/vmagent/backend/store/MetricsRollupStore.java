package io.vmagent.backend.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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

  // Buckets are written many rows to a statement: with one statement per bucket, storing a 100-VM
  // sample (601 buckets) took about 150 ms instead of 20 on the 2-core test machine, with 200 rows
  // a statement about 50 on either database.
  private static final int ROWS_PER_STATEMENT = 200;

  private static final String COLUMNS =
      "agent_id, vm_name, bucket_start, series, sample_count, value_sum, value_max, received_at";

  // PostgreSQL 10 has no MERGE, H2 no ON CONFLICT; both add to a bucket in one statement. The rows
  // of one statement name distinct buckets (RollupBuckets gathers them), as both require.
  private static String postgresqlAdd(int rows) {
    return "INSERT INTO metrics_rollup AS t ("
        + COLUMNS
        + ") VALUES "
        + String.join(", ", Collections.nCopies(rows, "(?, ?, ?, ?, ?, ?, ?, ?)"))
        + " ON CONFLICT (agent_id, vm_name, bucket_start, series) DO UPDATE SET"
        + " sample_count = t.sample_count + EXCLUDED.sample_count,"
        + " value_sum = t.value_sum + EXCLUDED.value_sum,"
        + " value_max = GREATEST(t.value_max, EXCLUDED.value_max),"
        + " received_at = EXCLUDED.received_at";
  }

  private static String h2Add(int rows) {
    String row =
        "(CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(255)), CAST(? AS BIGINT),"
            + " CAST(? AS VARCHAR(32)), CAST(? AS INTEGER), CAST(? AS DOUBLE PRECISION),"
            + " CAST(? AS DOUBLE PRECISION), CAST(? AS TIMESTAMP WITH TIME ZONE))";
    return "MERGE INTO metrics_rollup t USING (VALUES "
        + String.join(", ", Collections.nCopies(rows, row))
        + ") s ("
        + COLUMNS
        + ") ON t.agent_id = s.agent_id AND t.vm_name = s.vm_name"
        + " AND t.bucket_start = s.bucket_start AND t.series = s.series"
        + " WHEN MATCHED THEN UPDATE SET sample_count = t.sample_count + s.sample_count,"
        + " value_sum = t.value_sum + s.value_sum,"
        + " value_max = GREATEST(t.value_max, s.value_max), received_at = s.received_at"
        + " WHEN NOT MATCHED THEN INSERT ("
        + COLUMNS
        + ") VALUES (s.agent_id, s.vm_name, s.bucket_start, s.series, s.sample_count,"
        + " s.value_sum, s.value_max, s.received_at)";
  }

  private final Dialect dialect;

  /** A store speaking this dialect. */
  public MetricsRollupStore(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Adds each bucket's figures to what the agent's bucket holds already. */
  public void add(Connection c, String agentId, List<Bucket> buckets, Instant receivedAt)
      throws SQLException {
    for (int first = 0; first < buckets.size(); first += ROWS_PER_STATEMENT) {
      List<Bucket> rows =
          buckets.subList(first, Math.min(buckets.size(), first + ROWS_PER_STATEMENT));
      try (PreparedStatement s =
          c.prepareStatement(
              dialect == Dialect.POSTGRESQL ? postgresqlAdd(rows.size()) : h2Add(rows.size()))) {
        int i = 1;
        for (Bucket bucket : rows) {
          s.setString(i++, agentId);
          s.setString(i++, bucket.vm());
          s.setLong(i++, bucket.bucketStart());
          s.setString(i++, bucket.series());
          s.setInt(i++, bucket.count());
          s.setDouble(i++, bucket.sum());
          s.setDouble(i++, bucket.max());
          Sql.setInstant(s, i++, receivedAt);
        }
        s.executeUpdate();
      }
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
