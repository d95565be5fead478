package io.vmagent.backend.service;

import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.EventStore;
import io.vmagent.protocol.EventList;
import io.vmagent.protocol.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;

/** The stored VM lifecycle events as operators read them: filtered, newest first, in pages. */
public final class EventHistory {
  private final Database database;
  private final EventStore events;

  public EventHistory(Database database, EventStore events) {
    this.database = database;
    this.events = events;
  }

  /**
   * A page of events; {@code after} is the {@code next} of the previous page (opaque to callers),
   * {@code limit} already within the API's bounds.
   */
  public EventList page(
      String agentId,
      String vm,
      String type,
      Instant since,
      Instant until,
      String after,
      int limit) {
    EventStore.Filter filter =
        new EventStore.Filter(
            agentId, vm, type, since, until, after == null ? null : position(after));
    List<StoredEvent> rows =
        database.inTransaction("list events", c -> events.page(c, filter, limit + 1));
    boolean more = rows.size() > limit;
    List<StoredEvent> page = rows.subList(0, Math.min(limit, rows.size()));
    return new EventList(page, more ? cursor(page.get(page.size() - 1)) : null);
  }

  // The cursor names the last event of a page by its place in the order (corrected time, agent,
  // sequence), so a page is found again without counting what came before.
  private static String cursor(StoredEvent last) {
    String text = last.correctedTime() + " " + last.sequence() + " " + last.agentId();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static EventStore.Position position(String cursor) {
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(" ", 3);
      if (parts.length != 3) {
        throw new IllegalArgumentException("three parts expected");
      }
      return new EventStore.Position(Instant.parse(parts[0]), parts[2], Long.parseLong(parts[1]));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw ApiException.badRequest(
          "after is not a cursor this backend gave; pass the 'next' of the previous page");
    }
  }
}
