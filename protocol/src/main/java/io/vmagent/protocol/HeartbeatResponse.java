package io.vmagent.protocol;

import java.time.Instant;

/**
 * The backend's answer to a heartbeat.
 *
 * @param serverTime the backend's clock, so the agent can notice skew
 * @param commandsPending how many commands wait for the agent (poll at once when above zero)
 * @param latestAgentVersion the newest agent version the operator published; may be null
 */
public record HeartbeatResponse(
    Instant serverTime, int commandsPending, String latestAgentVersion) {}
