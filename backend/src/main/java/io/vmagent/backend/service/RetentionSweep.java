package io.vmagent.backend.service;

import io.vmagent.backend.config.Retention;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.RetentionStore;
import io.vmagent.backend.store.RetentionStore.Prunable;
import io.vmagent.backend.threads.Timers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjIntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes metrics samples, events, finished commands and used-up tokens past their {@link
 * Retention}, on its own thread. Each batch is one short transaction of at most {@link #BATCH}
 * rows, with a pause between batches, so a large backlog never holds locks or a pooled connection
 * for long and requests go on being answered meanwhile. One INFO line per pass says what went.
 */
public final class RetentionSweep implements AutoCloseable {
  /** Most rows one statement deletes. */
  public static final int BATCH = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(RetentionSweep.class);
  private static final Duration PAUSE = Duration.ofMillis(50);
  private static final Duration LONGEST_PERIOD = Duration.ofMinutes(10);

  private final Database database;
  private final RetentionStore store;
  private final Retention retention;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final ObjIntConsumer<String> onPruned;
  private volatile boolean closed;

  /** Starts sweeping every {@link #period(Retention)}. */
  public RetentionSweep(Database database, RetentionStore store, Retention retention, Clock clock) {
    this(database, store, retention, clock, (kind, rows) -> {});
  }

  /**
   * Starts sweeping every {@link #period(Retention)}, telling {@code pruned} how many rows of each
   * kind every batch deleted (zero included, so every kind is named from the first pass).
   */
  public RetentionSweep(
      Database database,
      RetentionStore store,
      Retention retention,
      Clock clock,
      ObjIntConsumer<String> pruned) {
    this.onPruned = pruned;
    this.database = database;
    this.store = store;
    this.retention = retention;
    this.clock = clock;
    this.timer = Timers.daemon("vm-backend-retention");
    long millis = period(retention).toMillis();
    var unused = timer.scheduleWithFixedDelay(this::sweep, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * How often the sweep runs: a tenth of the shortest retention, so a row outlives its period by at
   * most a tenth, between once a second and once every ten minutes.
   */
  static Duration period(Retention retention) {
    Duration tenth = retention.shortest().dividedBy(10);
    if (tenth.compareTo(Duration.ofSeconds(1)) < 0) {
      return Duration.ofSeconds(1);
    }
    return tenth.compareTo(LONGEST_PERIOD) > 0 ? LONGEST_PERIOD : tenth;
  }

  private void sweep() {
    try {
      long started = System.nanoTime();
      Map<String, Integer> pruned = pruneOnce();
      if (pruned.values().stream().anyMatch(n -> n > 0)) {
        StringJoiner what = new StringJoiner(", ");
        pruned.forEach((label, n) -> what.add(n + " " + label));
        LOG.info("retention: pruned {} in {} ms", what, (System.nanoTime() - started) / 1_000_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("retention sweep failed; retrying at the next round", e);
    }
  }

  /**
   * One pass over every kind, each in batches until a batch comes back short; how many rows of each
   * label went.
   */
  Map<String, Integer> pruneOnce() throws InterruptedException {
    Map<String, Integer> pruned = new LinkedHashMap<>();
    for (Prunable kind : Prunable.values()) {
      Instant before = clock.instant().minus(kind.period(retention));
      int total = 0;
      while (!closed) {
        int deleted =
            database.inTransaction(
                "prune " + kind.label(), c -> store.delete(c, kind, before, BATCH));
        onPruned.accept(kind.label(), deleted);
        total += deleted;
        if (deleted < BATCH) {
          break;
        }
        Thread.sleep(PAUSE.toMillis());
      }
      pruned.merge(kind.label(), total, Integer::sum);
    }
    return pruned;
  }

  /** Stops the sweep, waiting briefly for a batch under way so the database can close after. */
  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("retention sweep did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
