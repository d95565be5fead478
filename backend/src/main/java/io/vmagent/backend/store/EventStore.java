package io.vmagent.backend.store;

import io.vmagent.protocol.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the stored VM lifecycle events back for operators, newest first by the time they happened
 * on the backend's clock (their time less the clock offset their agent reported).
 */
public final class EventStore {
  /**
   * Which events a page holds; every field may be null for "any".
   *
   * @param since happened at or after, on the backend's clock
   * @param until happened before, on the backend's clock
   * @param after the last event of the previous page
   */
  public record Filter(
      String agentId, String vm, String type, Instant since, Instant until, Position after) {}

  /** Where an event stands in the order of pages; {@code timestamp} is its corrected time. */
  public record Position(Instant timestamp, String agentId, long sequence) {}

  /** Up to {@code limit} events the filter admits, newest first. */
  public List<StoredEvent> page(Connection c, Filter filter, int limit) throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT agent_id, sequence_no, event_time, vm_name, vm_uuid, event_type, detail,"
                + " received_at, clock_offset_ms FROM vm_events WHERE 1 = 1");
    List<Object> values = new ArrayList<>();
    if (filter.agentId() != null) {
      sql.append(" AND agent_id = ?");
      values.add(filter.agentId());
    }
    if (filter.vm() != null) {
      sql.append(" AND vm_name = ?");
      values.add(filter.vm());
    }
    if (filter.type() != null) {
      sql.append(" AND event_type = ?");
      values.add(filter.type());
    }
    if (filter.since() != null) {
      sql.append(" AND corrected_time >= ?");
      values.add(filter.since());
    }
    if (filter.until() != null) {
      sql.append(" AND corrected_time < ?");
      values.add(filter.until());
    }
    Position after = filter.after();
    if (after != null) {
      sql.append(
          " AND (corrected_time < ? OR (corrected_time = ? AND agent_id < ?)"
              + " OR (corrected_time = ? AND agent_id = ? AND sequence_no < ?))");
      values.addAll(
          List.of(
              after.timestamp(),
              after.timestamp(),
              after.agentId(),
              after.timestamp(),
              after.agentId(),
              after.sequence()));
    }
    sql.append(" ORDER BY corrected_time DESC, agent_id DESC, sequence_no DESC LIMIT ?");
    try (PreparedStatement s = c.prepareStatement(sql.toString())) {
      int i = 1;
      for (Object value : values) {
        if (value instanceof Instant at) {
          Sql.setInstant(s, i++, at);
        } else if (value instanceof Long number) {
          s.setLong(i++, number);
        } else {
          s.setString(i++, (String) value);
        }
      }
      s.setInt(i, limit);
      List<StoredEvent> page = new ArrayList<>();
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          page.add(
              new StoredEvent(
                  rows.getString("agent_id"),
                  rows.getLong("sequence_no"),
                  Sql.instant(rows, "event_time"),
                  rows.getString("vm_name"),
                  rows.getString("vm_uuid"),
                  rows.getString("event_type"),
                  rows.getString("detail"),
                  Sql.instant(rows, "received_at"),
                  offset(rows)));
        }
      }
      return page;
    }
  }

  private static Long offset(ResultSet rows) throws SQLException {
    long offset = rows.getLong("clock_offset_ms");
    return rows.wasNull() ? null : offset;
  }
}
