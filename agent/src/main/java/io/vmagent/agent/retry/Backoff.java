package io.vmagent.agent.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter, the agent's one backoff: before retry {@code n} (1 for the
 * first retry) the wait is a uniformly random duration between zero and {@code min(cap, base *
 * multiplier^(n-1))}.
 *
 * @param attempts attempts per request, the first included ({@code AGENT_RETRY_ATTEMPTS}); loops
 *     that never give up use {@link #forLoop}
 * @param base the ceiling of the first wait ({@link #DEFAULT_BASE})
 * @param multiplier growth of the ceiling per retry ({@code AGENT_RETRY_BACKOFF})
 * @param cap the largest ceiling ({@link #DEFAULT_CAP})
 */
public record Backoff(int attempts, Duration base, double multiplier, Duration cap) {
  /** Ceiling of the first wait: 0.5 s. */
  public static final Duration DEFAULT_BASE = Duration.ofMillis(500);

  /** Largest ceiling of any wait: 30 s. */
  public static final Duration DEFAULT_CAP = Duration.ofSeconds(30);

  public Backoff {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("multiplier must be at least 1, got " + multiplier);
    }
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("need 0 < base <= cap, got " + base + " and " + cap);
    }
  }

  /** The documented base and cap with the configured attempts and multiplier. */
  public static Backoff of(int attempts, double multiplier) {
    return new Backoff(attempts, DEFAULT_BASE, multiplier, DEFAULT_CAP);
  }

  /**
   * A loop's backoff, which retries without end: ceilings {@code base}, doubling to {@code cap}.
   */
  public static Backoff forLoop(Duration base, Duration cap) {
    return new Backoff(Integer.MAX_VALUE, base, 2.0, cap);
  }

  /** The upper bound of the wait before retry {@code retry} (1-based). */
  public Duration ceiling(int retry) {
    double millis = (double) base.toMillis() * Math.pow(multiplier, Math.max(0, retry - 1));
    return Duration.ofMillis((long) Math.min((double) cap.toMillis(), millis));
  }

  /** A random wait before retry {@code retry}: full jitter under {@link #ceiling(int)}. */
  public Duration delay(int retry) {
    long ceiling = ceiling(retry).toMillis();
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
  }
}
