package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A domain lifecycle change reported by libvirt's event loop: {@code type} is one of {@code
 * defined, undefined, started, suspended, resumed, stopped, shutdown, pmsuspended, crashed,
 * rebooted, unknown}; {@code detail} is libvirt's reason, lower case (for example {@code
 * destroyed}, {@code shutdown}, {@code booted}, {@code from_snapshot}).
 */
public record VmLifecycleEvent(
    @JsonProperty("vm") String vm,
    @JsonProperty("uuid") String uuid,
    @JsonProperty("type") String type,
    @JsonProperty("detail") String detail,
    @JsonProperty("occurred_at") Instant occurredAt) {

  public VmLifecycleEvent {
    Objects.requireNonNull(type, "type == null");
    Objects.requireNonNull(occurredAt, "occurredAt == null");
  }

  static String lower(Object value) {
    return value == null ? "unknown" : value.toString().toLowerCase(Locale.ROOT);
  }
}
