package io.vmagent.protocol;

import java.time.Instant;
import java.util.List;

/**
 * The fleet overview of {@link ProtocolPaths#STATUS_OVERVIEW}.
 *
 * @param serverTime the backend's clock
 * @param backendVersion the backend's version
 * @param agentsTotal registered agents, revoked ones excluded
 * @param agentsOnline agents heard from within three heartbeat intervals
 * @param agentsOffline agents not heard from within three heartbeat intervals
 * @param agents every agent; null unless the caller presented the operator token
 */
public record StatusOverview(
    Instant serverTime,
    String backendVersion,
    int agentsTotal,
    int agentsOnline,
    int agentsOffline,
    List<AgentStatus> agents) {

  /** Copies the list; keeps an absent list absent (the anonymous view). */
  public StatusOverview {
    agents = agents == null ? null : List.copyOf(agents);
  }
}
