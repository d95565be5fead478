package io.vmagent.protocol;

import java.util.List;

/**
 * One page of the registered agents, ordered by id.
 *
 * @param agents the agents of this page
 * @param next the cursor for the next page ({@code after=next}); null on the last page
 */
public record AgentList(List<AgentStatus> agents, String next) {
  /** Agents per page when the caller names no {@code limit}. */
  public static final int DEFAULT_PAGE = 100;

  /** The most agents one page holds. */
  public static final int MAX_PAGE = 500;

  /** Normalises an absent list to an empty one. */
  public AgentList {
    agents = Copies.list(agents);
  }

  /** A last page. */
  public AgentList(List<AgentStatus> agents) {
    this(agents, null);
  }
}
