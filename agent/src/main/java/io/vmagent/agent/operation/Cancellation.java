package io.vmagent.agent.operation;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether an operator asked to stop a command. An operation that can stop cleanly (a wait for the
 * guest, a wait for the VM's lock, a migration) checks or awaits its token and then throws {@link
 * OperationCancelled}; any other runs to its end. Cancelled once, it stays cancelled.
 */
public final class Cancellation {
  private final CompletableFuture<Void> cancelled = new CompletableFuture<>();

  /** A token nobody cancels: for operations run outside a command (the command line). */
  public static Cancellation none() {
    return new Cancellation();
  }

  /** Cancels; true when this call did it, false when it was cancelled already. */
  public boolean cancel() {
    return cancelled.complete(null);
  }

  /** True once cancelled. */
  public boolean cancelled() {
    return cancelled.isDone();
  }

  /** Completes when cancelled, to wait for it together with something else. */
  public CompletableFuture<Void> whenCancelled() {
    return cancelled.copy();
  }

  /**
   * Waits up to {@code timeout} for a cancel request: the sleep of an operation that polls while it
   * waits.
   *
   * @return true when cancelled (at once if it already was)
   */
  public boolean await(Duration timeout) throws InterruptedException {
    try {
      cancelled.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("a cancellation never fails", e);
    }
  }
}
