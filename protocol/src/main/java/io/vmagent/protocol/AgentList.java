package io.vmagent.protocol;

import java.util.List;

/**
 * Every registered agent, ordered by id.
 *
 * @param agents the agents
 */
public record AgentList(List<AgentStatus> agents) {

  /** Normalises an absent list to an empty one. */
  public AgentList {
    agents = Copies.list(agents);
  }
}
