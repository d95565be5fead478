package io.vmagent.backend.service;

import io.vmagent.backend.store.CommandStore;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.threads.Timers;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks overdue commands expired for every agent once a {@link #PERIOD}, so the command history and
 * counts show them expired without waiting for their agent's next poll. Nothing depends on the
 * sweep for correctness: a lease never takes an overdue command, and reading or cancelling a
 * command expires its agent's overdue commands first.
 */
final class CommandExpiry implements AutoCloseable {
  /** How often the sweep runs. */
  static final Duration PERIOD = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(CommandExpiry.class);

  private final Database database;
  private final CommandStore commands;
  private final Clock clock;
  private final ScheduledExecutorService timer;

  /** Starts sweeping now and every {@link #PERIOD}. */
  CommandExpiry(Database database, CommandStore commands, Clock clock) {
    this.database = database;
    this.commands = commands;
    this.clock = clock;
    this.timer = Timers.daemon("vm-backend-command-expiry");
    long millis = PERIOD.toMillis();
    var unused = timer.scheduleWithFixedDelay(this::sweep, 0, millis, TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    try {
      var unused =
          database.inTransaction(
              "expire overdue commands", c -> commands.expireAllOverdue(c, clock.instant()));
    } catch (RuntimeException e) {
      LOG.warn("expiring overdue commands failed; retrying at the next round", e);
    }
  }

  /** Stops the sweep, letting one under way finish: an interrupt could break H2's open files. */
  @Override
  public void close() {
    timer.shutdown();
    try {
      if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("the overdue-command sweep did not finish within 10 s of the shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
