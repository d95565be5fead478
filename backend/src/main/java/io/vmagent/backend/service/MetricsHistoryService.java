package io.vmagent.backend.service;

import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.MetricsRollupStore;
import io.vmagent.protocol.MetricsHistory;
import io.vmagent.protocol.MetricsSeries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics history as operators chart it: an agent's host or one of its VMs over a time range,
 * each series averaged and maxed per step in the database from the one-minute buckets written as
 * samples arrive.
 */
public final class MetricsHistoryService {
  /** The range when the caller names no start. */
  static final Duration DEFAULT_RANGE = Duration.ofHours(1);

  /** The steps chosen when the caller names none: the shortest that fits the default points. */
  private static final int[] STEPS = {
    60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400
  };

  private final Database database;
  private final AgentStore agents;
  private final MetricsRollupStore rollup;
  private final Clock clock;

  public MetricsHistoryService(
      Database database, AgentStore agents, MetricsRollupStore rollup, Clock clock) {
    this.database = database;
    this.agents = agents;
    this.rollup = rollup;
    this.clock = clock;
  }

  /**
   * The host's series ({@code vm} null) or the VM's from {@code from} to {@code to}, one point per
   * {@code stepSeconds}; each of the three may be null for its default.
   */
  public MetricsHistory history(
      String agentId, String vm, Instant from, Instant to, Integer stepSeconds) {
    Instant end = to == null ? clock.instant() : to;
    Instant start = from == null ? end.minus(DEFAULT_RANGE) : from;
    if (!start.isBefore(end)) {
      throw ApiException.badRequest("from (" + start + ") must be before to (" + end + ")");
    }
    int step = stepSeconds == null ? defaultStep(start, end) : checkedStep(stepSeconds, start, end);
    long first = Math.floorDiv(start.getEpochSecond(), step) * (long) step;
    long last = endSecond(end);
    int points = points(start, end, step);
    MetricSeries.Scope scope = vm == null ? MetricSeries.Scope.HOST : MetricSeries.Scope.VM;
    List<MetricsRollupStore.Point> found =
        database.inTransaction(
            "read the metrics history",
            c -> {
              if (agents.find(c, agentId).isEmpty()) {
                throw ApiException.notFound("no agent " + agentId);
              }
              return rollup.points(c, agentId, vm == null ? "" : vm, first, last, step);
            });
    List<Long> timestamps = new ArrayList<>(points);
    for (int i = 0; i < points; i++) {
      timestamps.add(first + (long) i * step);
    }
    return new MetricsHistory(
        agentId,
        vm,
        Instant.ofEpochSecond(first),
        end,
        step,
        timestamps,
        series(scope, found, points));
  }

  private static List<MetricsSeries> series(
      MetricSeries.Scope scope, List<MetricsRollupStore.Point> found, int points) {
    Map<String, Double[][]> values = new HashMap<>();
    for (MetricSeries series : scope.series()) {
      values.put(series.wireName(), new Double[][] {new Double[points], new Double[points]});
    }
    for (MetricsRollupStore.Point point : found) {
      Double[][] series = values.get(point.series());
      if (series == null || point.slot() < 0 || point.slot() >= points || point.count() <= 0) {
        continue; // a series this version no longer answers
      }
      series[0][point.slot()] = point.sum() / point.count();
      series[1][point.slot()] = point.max();
    }
    List<MetricsSeries> answer = new ArrayList<>();
    for (MetricSeries series : scope.series()) {
      Double[][] v = values.get(series.wireName());
      answer.add(
          new MetricsSeries(
              series.wireName(), series.unit().wire(), Arrays.asList(v[0]), Arrays.asList(v[1])));
    }
    return answer;
  }

  /** The shortest of {@link #STEPS} that keeps the answer within the default points. */
  private static int defaultStep(Instant start, Instant end) {
    for (int step : STEPS) {
      if (points(start, end, step) <= MetricsHistory.DEFAULT_POINTS) {
        return step;
      }
    }
    return checkedStep(MetricsHistory.MAX_STEP_SECONDS, start, end);
  }

  private static int checkedStep(int step, Instant start, Instant end) {
    if (step < MetricsHistory.MIN_STEP_SECONDS || step > MetricsHistory.MAX_STEP_SECONDS) {
      throw ApiException.badRequest(
          "step must be "
              + MetricsHistory.MIN_STEP_SECONDS
              + " to "
              + MetricsHistory.MAX_STEP_SECONDS
              + " seconds, got "
              + step);
    }
    if (step % MetricsHistory.MIN_STEP_SECONDS != 0) {
      throw ApiException.badRequest(
          "step must be a whole number of minutes (a multiple of 60 seconds), got " + step);
    }
    int points = points(start, end, step);
    if (points > MetricsHistory.MAX_POINTS) {
      throw ApiException.badRequest(
          "from "
              + start
              + " to "
              + end
              + " at a step of "
              + step
              + " s is "
              + points
              + " points, more than the "
              + MetricsHistory.MAX_POINTS
              + " an answer holds: "
              + remedy(start, end));
    }
    return step;
  }

  private static String remedy(Instant start, Instant end) {
    for (int step = MetricsHistory.MIN_STEP_SECONDS;
        step <= MetricsHistory.MAX_STEP_SECONDS;
        step += MetricsHistory.MIN_STEP_SECONDS) {
      if (points(start, end, step) <= MetricsHistory.MAX_POINTS) {
        return "use a step of at least " + step + " s, or a shorter range";
      }
    }
    return "use a shorter range";
  }

  /** How many steps, aligned to the epoch, cover the range. */
  private static int points(Instant start, Instant end, int step) {
    long first = Math.floorDiv(start.getEpochSecond(), step) * (long) step;
    long steps = Math.floorDiv(endSecond(end) - first + step - 1, step);
    return (int) Math.min(Integer.MAX_VALUE, steps);
  }

  /** The first whole second at or after {@code end}: the buckets before it are in the range. */
  private static long endSecond(Instant end) {
    return end.getNano() == 0 ? end.getEpochSecond() : end.getEpochSecond() + 1;
  }
}
