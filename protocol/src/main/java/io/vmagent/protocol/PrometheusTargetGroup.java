package io.vmagent.protocol;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One entry of Prometheus HTTP service discovery ({@code http_sd_configs}): the agents' Prometheus
 * endpoints to scrape and the labels their metrics get.
 *
 * @param targets {@code host:port} of each endpoint
 * @param labels {@code agent_id}, {@code agent_name} and {@code host}
 */
public record PrometheusTargetGroup(List<String> targets, Map<String, String> labels) {
  /** Copies both, so the group cannot change after it is made; labels ordered by name. */
  public PrometheusTargetGroup {
    targets = List.copyOf(targets);
    labels = Collections.unmodifiableMap(new TreeMap<>(labels));
  }
}
