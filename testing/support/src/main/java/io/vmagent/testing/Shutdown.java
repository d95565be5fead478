package io.vmagent.testing;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Stopping a test server's threads from a {@code close()} that may not throw. */
public final class Shutdown {
  private Shutdown() {}

  /** Interrupts the threads and waits up to {@code timeout} for them to end. */
  public static void now(ExecutorService threads, Duration timeout) {
    threads.shutdownNow();
    try {
      threads.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      // Being torn down already; the threads were told to stop.
      Thread.currentThread().interrupt();
    }
  }
}
