package io.vmagent.agent.operation;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Whether an operator asked to stop a command. An operation that can stop cleanly (a wait for the
 * guest, a migration) checks or awaits its token and then throws {@link OperationCancelled}; any
 * other runs to its end. Cancelled once, it stays cancelled.
 */
public final class Cancellation {
  private final CountDownLatch cancelled = new CountDownLatch(1);

  /** A token nobody cancels: for operations run outside a command (the command line). */
  public static Cancellation none() {
    return new Cancellation();
  }

  /** Cancels; true when this call did it, false when it was cancelled already. */
  public boolean cancel() {
    synchronized (cancelled) {
      if (cancelled.getCount() == 0) {
        return false;
      }
      cancelled.countDown();
      return true;
    }
  }

  /** True once cancelled. */
  public boolean cancelled() {
    return cancelled.getCount() == 0;
  }

  /**
   * Waits up to {@code timeout} for a cancel request: the interruptible sleep of an operation that
   * polls while it waits.
   *
   * @return true when cancelled (at once if it already was)
   */
  public boolean await(Duration timeout) throws InterruptedException {
    return cancelled.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
  }
}
