package io.vmagent.backend.store;

import java.time.Instant;

/**
 * One VM as its agent last reported it; {@code interfacesJson} and {@code addressesReportedAt} come
 * from its agent's last {@code addresses} or {@code info} result (null when none came).
 */
public record VmRow(
    String agentId,
    String name,
    String uuid,
    String state,
    Instant reportedAt,
    String interfacesJson,
    Instant addressesReportedAt) {

  /** A VM of a heartbeat's inventory. */
  public VmRow(String agentId, String name, String uuid, String state, Instant reportedAt) {
    this(agentId, name, uuid, state, reportedAt, null, null);
  }
}
