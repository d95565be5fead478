package io.vmagent.agent.loop;

import io.vmagent.agent.spool.Spool;
import java.time.Instant;
import java.util.function.LongSupplier;

/** When the backend last answered, for {@code agent_info} and the health metrics. */
public final class BackendContact implements Spool.ContactListener {
  private final LongSupplier nanoTime;
  private final long createdNanos;
  private volatile Instant last;
  private volatile long lastNanos;

  public BackendContact() {
    this(System::nanoTime);
  }

  BackendContact(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.createdNanos = nanoTime.getAsLong();
  }

  @Override
  public void contact(boolean reached) {
    if (reached) {
      lastNanos = nanoTime.getAsLong();
      last = Instant.now();
    }
  }

  /** The last answer's time, or null before the first. */
  public Instant last() {
    return last;
  }

  /** Seconds since the last answer, or since this object was made while there was none. */
  public double secondsSince() {
    long since = last == null ? createdNanos : lastNanos;
    return (nanoTime.getAsLong() - since) / 1e9;
  }
}
