package io.vmagent.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stopping a child process from a {@code close()} that may not throw InterruptedException. */
final class Processes {
  private Processes() {}

  /** Asks the process to stop, waits up to {@code grace}, then kills it. */
  static void stop(Process process, Duration grace) {
    process.destroy();
    if (!awaitExit(process, grace)) {
      process.destroyForcibly();
      awaitExit(process, Duration.ofSeconds(10));
    }
  }

  /** Kills the process and waits up to ten seconds for it to be gone. */
  static void kill(Process process) {
    process.destroyForcibly();
    awaitExit(process, Duration.ofSeconds(10));
  }

  private static boolean awaitExit(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      // The caller is being torn down; the process was already told to stop.
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
