package io.vmagent.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a command is in its life on the backend. */
public enum CommandState {
  QUEUED,
  LEASED,
  SUCCEEDED,
  FAILED,
  EXPIRED,
  /** An operator cancelled it before any agent received it: no agent ever will. */
  CANCELLED;

  /** The lower-case name this value has on the wire. */
  @JsonValue
  public String wire() {
    return WireNames.of(this);
  }

  /** The value with this wire name; an unknown name is an {@link IllegalArgumentException}. */
  @JsonCreator
  public static CommandState fromWire(String wire) {
    return WireNames.parse(CommandState.class, wire);
  }
}
