package io.vmagent.backend.service;

import io.vmagent.backend.threads.Timers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background rounds on one named thread: a round every {@code busy} while the last one found work
 * under way, every {@code idle} while there was none, and one at once when woken. Work this process
 * begins wakes it; work another instance begins, or an earlier run left, is found within {@code
 * idle}, so an idle backend costs one round per {@code idle}, not per {@code busy}.
 */
final class Rounds implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Rounds.class);

  private final Duration busy;
  private final Duration idle;
  private final List<BooleanSupplier> jobs = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer;
  private ScheduledFuture<?> next; // guarded by this
  private boolean woken; // guarded by this

  Rounds(String threadName, Duration busy, Duration idle) {
    this.busy = busy;
    this.idle = idle;
    this.timer = Timers.daemon(threadName);
  }

  /**
   * Adds {@code job} to every round, after those added before it; it answers whether it has work
   * under way (a job that cannot tell, say when the database cannot be read, answers true).
   */
  void add(BooleanSupplier job) {
    jobs.add(job);
  }

  /** Runs a round now, or right after the one running, and goes on at the pace it finds. */
  synchronized void wake() {
    woken = true;
    schedule(Duration.ZERO);
  }

  private void round() {
    synchronized (this) {
      woken = false;
    }
    boolean underWay = false;
    for (BooleanSupplier job : jobs) {
      try {
        underWay |= job.getAsBoolean();
      } catch (RuntimeException e) {
        // The next round tries again; one failing job must not end the rounds of all.
        LOG.warn("a background round failed: {}", e.toString());
        underWay = true;
      }
    }
    synchronized (this) {
      schedule(woken ? Duration.ZERO : underWay ? busy : idle);
    }
  }

  private void schedule(Duration delay) {
    if (timer.isShutdown()) {
      return;
    }
    if (next != null) {
      next.cancel(false);
    }
    next = timer.schedule(this::round, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops the rounds; a round under way is interrupted. */
  @Override
  public synchronized void close() {
    timer.shutdownNow();
  }
}
