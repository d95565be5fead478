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
 */
public record VmView(String agentId, String name, String uuid, String state, Instant reportedAt) {}
