package io.vmagent.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The libvirt domain lifecycle event kinds an agent forwards. */
public enum VmEventType {
  DEFINED(1),
  UNDEFINED(1),
  STARTED(1),
  SUSPENDED(1),
  RESUMED(1),
  STOPPED(1),
  SHUTDOWN(1),
  PMSUSPENDED(1),
  CRASHED(1),
  /** The guest reset itself (libvirt's reboot event); the VM keeps running. */
  REBOOTED(3),
  /** A libvirt event this protocol has no name for; its {@code detail} says which. */
  OTHER(3);

  private final int since;

  VmEventType(int since) {
    this.since = since;
  }

  /**
   * The protocol version that introduced this value: a backend of an older version refuses it (the
   * schema is strict), so an agent sends it only to a backend that names this version or newer.
   */
  public int since() {
    return since;
  }

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
