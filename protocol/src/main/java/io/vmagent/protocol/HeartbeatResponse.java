package io.vmagent.protocol;

import java.time.Instant;
import java.util.List;

/**
 * The backend's answer to a heartbeat.
 *
 * @param serverTime the backend's clock, so the agent can notice skew
 * @param commandsPending how many commands wait for the agent (poll at once when above zero)
 * @param latestAgentVersion the newest agent version the operator published; may be null
 * @param cancelRequested the ids of the commands leased to this agent that an operator asked to
 *     cancel and that have no result yet (protocol 4, to an agent that registered with 4 or more);
 *     null when there are none
 */
public record HeartbeatResponse(
    Instant serverTime,
    int commandsPending,
    String latestAgentVersion,
    List<String> cancelRequested) {

  /** Keeps an absent list absent. */
  public HeartbeatResponse {
    cancelRequested = cancelRequested == null ? null : List.copyOf(cancelRequested);
  }

  /** An answer without cancel requests, as before protocol 4. */
  public HeartbeatResponse(Instant serverTime, int commandsPending, String latestAgentVersion) {
    this(serverTime, commandsPending, latestAgentVersion, null);
  }
}
