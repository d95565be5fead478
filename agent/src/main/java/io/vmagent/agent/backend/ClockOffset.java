package io.vmagent.agent.backend;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * How far this host's clock is from the backend's, estimated as NTP does: an answer's {@code
 * server_time} is taken to be the backend's clock halfway through the round trip, and of the recent
 * samples the one with the shortest round trip, whose estimate is the tightest, counts. Positive
 * means this host's clock is ahead. The one place the agent's offset is read from.
 */
public final class ClockOffset {
  /** Samples kept; older ones fall out, so a clock that was stepped is seen within a few. */
  static final int SAMPLES = 8;

  /** A sample older than this no longer counts while newer ones exist. */
  static final Duration MAX_AGE = Duration.ofMinutes(2);

  /** Beyond the round trips' uncertainty, a difference this large means a clock was stepped. */
  static final Duration STEP_MARGIN = Duration.ofSeconds(1);

  private record Sample(long offsetMillis, long roundTripNanos, long takenNanos) {}

  private final Clock clock;
  private final LongSupplier nanoTime;
  private final Deque<Sample> samples = new ArrayDeque<>(); // guarded by this

  /** An estimate of the system clock's offset, round trips timed on the monotonic clock. */
  public ClockOffset() {
    this(Clock.systemUTC(), System::nanoTime);
  }

  /** An estimate of {@code clock}'s offset, round trips timed on {@code nanoTime}. */
  ClockOffset(Clock clock, LongSupplier nanoTime) {
    this.clock = clock;
    this.nanoTime = nanoTime;
  }

  /** A request about to leave, to be timed until its answer. */
  public record Probe(Instant sentAt, long sentNanos) {}

  /** Marks a request leaving now. */
  public Probe probe() {
    return new Probe(clock.instant(), nanoTime.getAsLong());
  }

  /** The answer to {@code probe} came now, carrying {@code serverTime} (null: not sampled). */
  public void answered(Probe probe, Instant serverTime) {
    sample(serverTime, probe.sentAt(), nanoTime.getAsLong() - probe.sentNanos());
  }

  /**
   * Records one answer: the request left at {@code sentAt} (this host's wall clock) and its answer
   * came {@code roundTripNanos} later carrying {@code serverTime}; a null server time (an older
   * backend's answer) is ignored.
   */
  public void sample(Instant serverTime, Instant sentAt, long roundTripNanos) {
    if (serverTime == null || roundTripNanos < 0) {
      return;
    }
    Instant midway = sentAt.plusNanos(roundTripNanos / 2);
    long offset = Duration.between(serverTime, midway).toMillis();
    synchronized (this) {
      Sample best = best();
      if (best != null
          && Math.abs(offset - best.offsetMillis())
              > (best.roundTripNanos() + roundTripNanos) / 2 / 1_000_000 + STEP_MARGIN.toMillis()) {
        // The two estimates cannot both hold: a clock was stepped, so older samples tell nothing.
        samples.clear();
      }
      if (samples.size() == SAMPLES) {
        samples.removeFirst();
      }
      samples.addLast(new Sample(offset, roundTripNanos, nanoTime.getAsLong()));
    }
  }

  /** The current estimate; empty before the first answer that carried the backend's clock. */
  public synchronized Optional<Duration> current() {
    Sample best = best();
    return best == null ? Optional.empty() : Optional.of(Duration.ofMillis(best.offsetMillis()));
  }

  private Sample best() {
    long now = nanoTime.getAsLong();
    Sample best = samples.peekLast();
    for (Sample sample : samples) {
      boolean fresh = now - sample.takenNanos() <= MAX_AGE.toNanos();
      if (fresh && sample.roundTripNanos() < best.roundTripNanos()) {
        best = sample;
      }
    }
    return best;
  }
}
