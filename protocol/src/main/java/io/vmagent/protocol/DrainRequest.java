package io.vmagent.protocol;

import java.util.Map;

/**
 * An operator's request to drain an agent's host, sent to {@link
 * ProtocolPaths#OPERATOR_AGENT_DRAIN}.
 *
 * @param to the agent that takes every VM; null to pick one per VM by free memory
 * @param parallel how many migrations run at once, 1 to 4; null for 1
 * @param options {@code migrate} parameters for every move, as {@link MigrateRequest#options}
 */
public record DrainRequest(String to, Integer parallel, Map<String, String> options) {

  /** Normalises absent options to an empty map. */
  public DrainRequest {
    options = Copies.map(options);
  }
}
