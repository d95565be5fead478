package io.vmagent.protocol;

import java.time.Instant;

/**
 * A VM as its agent last reported it.
 *
 * @param agentId the agent managing it
 * @param name the domain name
 * @param uuid the domain UUID; may be null
 * @param state its last known state
 * @param reportedAt when that state was reported
 * @param agentConnectivity whether its agent is online now; when not, {@code state} is only the
 *     last known one; null from a backend that does not say
 */
public record VmView(
    String agentId,
    String name,
    String uuid,
    String state,
    Instant reportedAt,
    Connectivity agentConnectivity) {

  /** A view that does not say whether its agent is online. */
  public VmView(String agentId, String name, String uuid, String state, Instant reportedAt) {
    this(agentId, name, uuid, state, reportedAt, null);
  }
}
