package io.vmagent.agent.loop;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one round of work every interval on its own thread; a failing round is recorded in its
 * {@link LoopState} and logged when the failure starts and ends, not at every round.
 */
public final class PeriodicLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(PeriodicLoop.class);

  /** One round of the loop's work. */
  @FunctionalInterface
  public interface Round {
    void run() throws Exception;
  }

  private final LoopState state;
  private final Duration interval;
  private final Duration firstDelay;
  private final Round round;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private volatile boolean stopping;
  private boolean triggered; // guarded by lock
  private boolean failing;

  public PeriodicLoop(LoopState state, Duration interval, Duration firstDelay, Round round) {
    this.state = Objects.requireNonNull(state, "state == null");
    this.interval = interval;
    this.firstDelay = firstDelay;
    this.round = Objects.requireNonNull(round, "round == null");
  }

  /** The loop's state. */
  public LoopState state() {
    return state;
  }

  /** Runs the next round now instead of at the end of the interval. */
  public void trigger() {
    lock.lock();
    try {
      triggered = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Ends the loop after its current round. */
  public void stop() {
    stopping = true;
    trigger();
  }

  @Override
  public void run() {
    try {
      sleep(firstDelay);
      while (!stopping) {
        runOnce();
        sleep(interval);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One round, recorded in the state; returns whether it succeeded. */
  public boolean runOnce() {
    Instant started = Instant.now();
    try {
      round.run();
      state.succeeded(started, Duration.between(started, Instant.now()));
      if (failing) {
        failing = false;
        log.info("{} works again", state.name());
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      state.failed(started, Duration.between(started, Instant.now()), "interrupted");
      return false;
    } catch (Exception e) {
      state.failed(started, Duration.between(started, Instant.now()), e.getMessage());
      if (!failing) {
        failing = true;
        log.warn("{} failed: {}", state.name(), e.getMessage());
      } else {
        log.debug("{} still failing: {}", state.name(), e.toString());
      }
      return false;
    }
  }

  private void sleep(Duration duration) throws InterruptedException {
    lock.lock();
    try {
      long nanos = duration.toNanos();
      while (!triggered && !stopping && nanos > 0) {
        nanos = wake.awaitNanos(nanos);
      }
      triggered = false;
    } finally {
      lock.unlock();
    }
  }
}
