package io.vmagent.agent.backend;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: before retry {@code n} (1 for the first retry) the wait is
 * a uniformly random duration between zero and {@code min(cap, base * multiplier^(n-1))}.
 *
 * @param attempts attempts per request, the first included ({@code AGENT_RETRY_ATTEMPTS})
 * @param base the ceiling of the first wait ({@link #DEFAULT_BASE})
 * @param multiplier growth of the ceiling per retry ({@code AGENT_RETRY_BACKOFF})
 * @param cap the largest ceiling ({@link #DEFAULT_CAP})
 */
public record Backoff(int attempts, Duration base, double multiplier, Duration cap) {
  /** Ceiling of the first wait: 0.5 s. */
  public static final Duration DEFAULT_BASE = Duration.ofMillis(500);

  /** Largest ceiling of any wait: 30 s. */
  public static final Duration DEFAULT_CAP = Duration.ofSeconds(30);

  /** The longest {@code Retry-After} honoured; a longer one is cut to this. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(120);

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

  /** The upper bound of the wait before retry {@code retry} (1-based). */
  public Duration ceiling(int retry) {
    double millis = base.toMillis() * Math.pow(multiplier, Math.max(0, retry - 1));
    return Duration.ofMillis((long) Math.min(cap.toMillis(), millis));
  }

  /** A random wait before retry {@code retry}: full jitter under {@link #ceiling(int)}. */
  public Duration delay(int retry) {
    long ceiling = ceiling(retry).toMillis();
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
  }
}
