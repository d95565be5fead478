package io.vmagent.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The outcome of a command as the agent reports it. */
public enum ResultStatus {
  SUCCEEDED,
  FAILED;

  /** The lower-case name this value has on the wire. */
  @JsonValue
  public String wire() {
    return WireNames.of(this);
  }

  /** The value with this wire name; an unknown name is an {@link IllegalArgumentException}. */
  @JsonCreator
  public static ResultStatus fromWire(String wire) {
    return WireNames.parse(ResultStatus.class, wire);
  }
}
