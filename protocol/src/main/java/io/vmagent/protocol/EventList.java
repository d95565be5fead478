package io.vmagent.protocol;

import java.util.List;

/**
 * One page of stored VM events, newest first.
 *
 * @param events the events of this page
 * @param next the cursor for the next (older) page ({@code after=next}); null on the last page
 */
public record EventList(List<StoredEvent> events, String next) {
  /** Events per page when the caller names no {@code limit}. */
  public static final int DEFAULT_PAGE = 100;

  /** The most events one page holds. */
  public static final int MAX_PAGE = 1000;

  /** Normalises an absent list to an empty one. */
  public EventList {
    events = Copies.list(events);
  }
}
