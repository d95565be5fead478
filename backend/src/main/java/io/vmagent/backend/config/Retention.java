package io.vmagent.backend.config;

import java.time.Duration;
import java.util.stream.Stream;

/**
 * How long the backend keeps each kind of row once it is done with it; older rows are deleted by
 * the retention sweep. Queued and leased commands, agents, VMs and live tokens are never pruned.
 *
 * @param metrics metrics samples, counted from when they arrived (the backend's clock, so an agent
 *     with a wrong clock cannot keep its samples for ever)
 * @param events VM lifecycle events, from when they arrived
 * @param commands succeeded, failed and expired commands, from when they finished or expired
 * @param tokens refresh tokens and bootstrap tokens, from when they stopped being usable: a refresh
 *     token spent, expired or in a revoked chain (and a revoked chain once it holds no token), a
 *     single-use bootstrap token used, a bootstrap token expired
 * @param metricsHistory the metrics history's one-minute buckets, from when a sample last added to
 *     them (the backend's clock)
 */
public record Retention(
    Duration metrics,
    Duration events,
    Duration commands,
    Duration tokens,
    Duration metricsHistory) {
  /**
   * 7 days of metrics and of their history, 30 days of events and commands, tokens 7 days after
   * their last use.
   */
  public static final Retention DEFAULTS =
      new Retention(
          Duration.ofDays(7),
          Duration.ofDays(30),
          Duration.ofDays(30),
          Duration.ofDays(7),
          Duration.ofDays(7));

  /** Checks that every period is positive. */
  public Retention {
    positive("metricsRetention", metrics);
    positive("eventsRetention", events);
    positive("commandsRetention", commands);
    positive("tokensRetention", tokens);
    positive("metricsHistoryRetention", metricsHistory);
  }

  /** The same with every period set to {@code period}, e.g. for tests. */
  public static Retention all(Duration period) {
    return new Retention(period, period, period, period, period);
  }

  /** The shortest of the periods. */
  public Duration shortest() {
    return Stream.of(metrics, events, commands, tokens, metricsHistory)
        .min(Duration::compareTo)
        .orElseThrow();
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
    }
  }
}
