package io.vmagent.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The libvirt domain lifecycle event kinds an agent forwards. */
public enum VmEventType {
  DEFINED,
  UNDEFINED,
  STARTED,
  SUSPENDED,
  RESUMED,
  STOPPED,
  SHUTDOWN,
  PMSUSPENDED,
  CRASHED;

  /** The lower-case name this value has on the wire. */
  @JsonValue
  public String wire() {
    return WireNames.of(this);
  }

  /** The value with this wire name; an unknown name is an {@link IllegalArgumentException}. */
  @JsonCreator
  public static VmEventType fromWire(String wire) {
    return WireNames.parse(VmEventType.class, wire);
  }
}
