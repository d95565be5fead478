package io.vmagent.simulator;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * How late periodic tasks fire compared with when they were due: when this grows the simulator
 * itself is saturated and its latencies say more about it than about the backend.
 */
final class SchedulerLag {
  private final AtomicLong maxMicros = new AtomicLong();
  private final LongAdder sumMicros = new LongAdder();
  private final LongAdder count = new LongAdder();

  void record(long dueNanos, long firedNanos) {
    long micros = Math.max(0, (firedNanos - dueNanos) / 1_000);
    maxMicros.accumulateAndGet(micros, Math::max);
    sumMicros.add(micros);
    count.increment();
  }

  double maxMs() {
    return maxMicros.get() / 1000.0;
  }

  double meanMs() {
    long n = count.sum();
    return n == 0 ? 0 : sumMicros.sum() / 1000.0 / n;
  }
}
