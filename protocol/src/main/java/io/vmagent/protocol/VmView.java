package io.vmagent.protocol;

import java.time.Instant;
import java.util.List;

/**
 * A VM as its agent last reported it.
 *
 * @param agentId the agent managing it
 * @param name the domain name
 * @param uuid the domain UUID; may be null
 * @param state its last known state
 * @param reportedAt when that state was reported
 * @param interfaces its interfaces with their IP addresses, from the agent's last {@code addresses}
 *     or {@code info} result for it; null when none came
 * @param addressesReportedAt when those were reported; null when none came
 * @param agentConnectivity whether its agent is online now; when not, {@code state} is only the
 *     last known one; null from a backend that does not say
 */
public record VmView(
    String agentId,
    String name,
    String uuid,
    String state,
    Instant reportedAt,
    List<VmInterface> interfaces,
    Instant addressesReportedAt,
    Connectivity agentConnectivity) {

  /** Keeps absent interfaces null. */
  public VmView {
    interfaces = interfaces == null ? null : List.copyOf(interfaces);
  }

  /** A VM without reported addresses, not saying whether its agent is online. */
  public VmView(String agentId, String name, String uuid, String state, Instant reportedAt) {
    this(agentId, name, uuid, state, reportedAt, null, null, null);
  }
}
