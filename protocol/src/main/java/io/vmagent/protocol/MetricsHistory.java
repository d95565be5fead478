package io.vmagent.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * An agent's or a VM's metrics over a time range, one point per step: the average and the maximum
 * of each series in each step, null where no sample held a value.
 *
 * @param agentId the agent
 * @param vm the VM's name; null for the host's own series
 * @param from the start of the first step (the requested start aligned down to the step)
 * @param to the end of the range as requested (not included)
 * @param stepSeconds the length of a step
 * @param timestamps the start of each step, in epoch seconds, a multiple of the step
 * @param series one entry per series, each with one value per timestamp
 */
public record MetricsHistory(
    String agentId,
    @JsonInclude(JsonInclude.Include.ALWAYS) String vm,
    Instant from,
    Instant to,
    int stepSeconds,
    List<Long> timestamps,
    List<MetricsSeries> series) {

  /** The shortest step: the history keeps one bucket a minute. */
  public static final int MIN_STEP_SECONDS = 60;

  /** The longest step: a day. */
  public static final int MAX_STEP_SECONDS = 86_400;

  /** The most points one answer holds. */
  public static final int MAX_POINTS = 1_000;

  /** The most points an answer holds when the caller names no step. */
  public static final int DEFAULT_POINTS = 300;

  /** Normalises absent lists to empty ones. */
  public MetricsHistory {
    timestamps = Copies.list(timestamps);
    series = Copies.list(series);
  }
}
