package io.vmagent.agent.backend;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a refresh storm: refreshes come about once per access-token lifetime, so several within a
 * minute mean something is wrong (a backend issuing tokens that die at once, a refresh that does
 * not take). Refreshes themselves are logged at DEBUG; a storm is a WARN, at most once a minute.
 */
final class RefreshRate {
  private static final Logger log = LoggerFactory.getLogger(RefreshRate.class);

  /** Refreshes within {@link #WINDOW} that make a storm. */
  static final int STORM = 5;

  static final Duration WINDOW = Duration.ofMinutes(1);

  private final LongSupplier nanoTime;
  private final Deque<Long> recent = new ArrayDeque<>(); // guarded by this
  private long warnedAt = Long.MIN_VALUE; // guarded by this

  RefreshRate(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** A refresh starts; {@code lifetime} is how long the token being replaced was to live. */
  synchronized void refreshed(Duration lifetime) {
    long now = nanoTime.getAsLong();
    recent.addLast(now);
    while (now - recent.peekFirst() > WINDOW.toNanos()) {
      recent.removeFirst();
    }
    if (recent.size() >= STORM && now - warnedAt > WINDOW.toNanos()) {
      warnedAt = now;
      log.warn(
          "refresh storm: {} access-token refreshes within a minute (the last token lived {} s);"
              + " check the backend's access-token lifetime",
          recent.size(),
          lifetime.toSeconds());
    }
  }
}
