package io.vmagent.agent.command;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Takes one metrics snapshot, as JSON, for {@code collect_metrics} and the metrics loop. */
@FunctionalInterface
public interface MetricsSource {
  /** Collects now. */
  ObjectNode collect() throws Exception;
}
