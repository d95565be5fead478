package io.vmagent.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How an agent judges its own health in a heartbeat. */
public enum HealthStatus {
  HEALTHY,
  DEGRADED,
  /** The agent is shutting down: its last heartbeat; the backend marks it offline at once. */
  STOPPING;

  /** The lower-case name this value has on the wire. */
  @JsonValue
  public String wire() {
    return WireNames.of(this);
  }

  /** The value with this wire name; an unknown name is an {@link IllegalArgumentException}. */
  @JsonCreator
  public static HealthStatus fromWire(String wire) {
    return WireNames.parse(HealthStatus.class, wire);
  }
}
