package io.vmagent.backend.store;

import java.time.Instant;

/** One VM as its agent last reported it. */
public record VmRow(String agentId, String name, String uuid, String state, Instant reportedAt) {}
