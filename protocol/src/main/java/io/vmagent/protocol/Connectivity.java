package io.vmagent.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Whether an agent is heard from: online, offline (three heartbeats missed) or revoked. */
public enum Connectivity {
  ONLINE,
  OFFLINE,
  REVOKED;

  /** The lower-case name this value has on the wire. */
  @JsonValue
  public String wire() {
    return WireNames.of(this);
  }

  /** The value with this wire name; an unknown name is an {@link IllegalArgumentException}. */
  @JsonCreator
  public static Connectivity fromWire(String wire) {
    return WireNames.parse(Connectivity.class, wire);
  }
}
