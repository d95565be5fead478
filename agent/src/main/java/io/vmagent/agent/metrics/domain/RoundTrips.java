package io.vmagent.agent.metrics.domain;

import java.util.concurrent.atomic.AtomicLong;

/** Counts libvirt calls that reach the driver (one round trip each on a remote connection). */
public final class RoundTrips {
  private final AtomicLong count = new AtomicLong();

  void increment() {
    count.incrementAndGet();
  }

  /** Calls made since this counter was created. */
  public long total() {
    return count.get();
  }
}
