package io.vmagent.protocol;

import java.util.List;

/**
 * A batch of metrics samples sent to {@link ProtocolPaths#METRICS}; at most {@link #MAX_SAMPLES}.
 *
 * @param samples the samples, in any order
 */
public record MetricsBatch(List<MetricsSample> samples) {

  /** The most samples one batch may carry. */
  public static final int MAX_SAMPLES = 500;

  /** Normalises an absent list to an empty one. */
  public MetricsBatch {
    samples = Copies.list(samples);
  }
}
