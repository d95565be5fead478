package io.vmagent.backend.store;

import io.vmagent.backend.threads.Timers;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database's clock ({@code CURRENT_TIMESTAMP}), read at start and every {@link #RESYNC} on a
 * thread of its own, and carried forward in between on this process's monotonic clock. Leases,
 * deadlines, offline detection and token lifetimes take their time from it, so instances on one
 * database agree whatever their own clocks say, and a step of an instance's clock changes nothing.
 * Reading it costs no query.
 */
public final class DatabaseClock extends Clock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseClock.class);

  /** How often the database's clock is read again, bounding the drift of the carried estimate. */
  static final Duration RESYNC = Duration.ofSeconds(30);

  private record Anchor(Instant at, long nanos) {}

  private final Database database;
  private final ScheduledExecutorService timer;
  private volatile Anchor anchor;

  /** Reads the database's clock now; fails as the database does when it cannot be read. */
  DatabaseClock(Database database) {
    this.database = database;
    this.anchor = read();
    this.timer = Timers.daemon("vm-backend-db-clock");
    long millis = RESYNC.toMillis();
    var unused = timer.scheduleWithFixedDelay(this::resync, millis, millis, TimeUnit.MILLISECONDS);
  }

  private Anchor read() {
    long sent = System.nanoTime();
    Instant at =
        database.inTransaction(
            "read the database's clock",
            c -> {
              try (PreparedStatement s = c.prepareStatement("SELECT CURRENT_TIMESTAMP");
                  ResultSet rows = s.executeQuery()) {
                rows.next();
                return rows.getObject(1, OffsetDateTime.class).toInstant();
              }
            });
    long received = System.nanoTime();
    // The database read its clock somewhere within the round trip; the middle is the best guess.
    return new Anchor(at, sent + (received - sent) / 2);
  }

  private void resync() {
    try {
      Anchor fresh = read();
      Duration drift = Duration.between(instantAt(anchor, fresh.nanos()), fresh.at());
      if (drift.abs().compareTo(Duration.ofSeconds(1)) > 0) {
        LOG.info("the database's clock moved by {} ms against this instance's", drift.toMillis());
      }
      anchor = fresh;
    } catch (RuntimeException e) {
      // The estimate carries on from the last reading; the database is tried again next round.
      LOG.debug("cannot read the database's clock now: {}", e.toString());
    }
  }

  private static Instant instantAt(Anchor anchor, long nanos) {
    return anchor.at().plusNanos(nanos - anchor.nanos());
  }

  @Override
  public Instant instant() {
    return instantAt(anchor, System.nanoTime());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the database clock is UTC");
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
