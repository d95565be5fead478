package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import org.libvirt.DomainInfo;

/**
 * A VM's run state as libvirt reports it, plus {@code undefined} for a VM that no longer exists.
 */
public enum VmState {
  NO_STATE("no_state", List.of("unknown")),
  RUNNING(
      "running",
      List.of(
          "unknown",
          "booted",
          "migrated",
          "restored",
          "from_snapshot",
          "unpaused",
          "migration_canceled",
          "save_canceled",
          "wakeup",
          "crashed",
          "postcopy",
          "postcopy_failed")),
  BLOCKED("blocked", List.of("unknown")),
  PAUSED(
      "paused",
      List.of(
          "unknown",
          "user",
          "migration",
          "save",
          "dump",
          "ioerror",
          "watchdog",
          "from_snapshot",
          "shutting_down",
          "snapshot",
          "crashed",
          "starting_up",
          "postcopy",
          "postcopy_failed",
          "api_error")),
  SHUTTING_DOWN("shutting_down", List.of("unknown", "user")),
  SHUT_OFF(
      "shut_off",
      List.of(
          "unknown",
          "shutdown",
          "destroyed",
          "crashed",
          "migrated",
          "saved",
          "failed",
          "from_snapshot",
          "daemon")),
  CRASHED("crashed", List.of("unknown", "panicked")),
  PM_SUSPENDED("pm_suspended", List.of("unknown")),
  UNDEFINED("undefined", List.of("deleted"));

  private final String wire;

  @SuppressWarnings("ImmutableEnumChecker") // every list is a List.of, which cannot change
  private final List<String> reasons;

  VmState(String wire, List<String> reasons) {
    this.wire = wire;
    this.reasons = reasons;
  }

  /**
   * The state's name on the wire, in the command line's tables and in the metrics: the one spelling
   * (see {@link io.vmagent.protocol.VmStates}).
   */
  @JsonValue
  public String wire() {
    return wire;
  }

  /** Whether a QEMU process (or its test-driver equivalent) exists for the VM. */
  public boolean isActive() {
    return this != SHUT_OFF && this != UNDEFINED && this != NO_STATE;
  }

  /** Whether the guest is executing (running or blocked on I/O). */
  public boolean isRunning() {
    return this == RUNNING || this == BLOCKED;
  }

  /**
   * libvirt's reason names for its {@code virDomainState} number {@code state}, indexed by reason
   * number (the order of libvirt's {@code virDomain*Reason} enums); empty for a state number this
   * table does not know.
   */
  public static List<String> libvirtReasons(int state) {
    return state >= 0 && state <= 7 ? fromLibvirt(state).reasons : List.of();
  }

  /** The state for libvirt's {@code virDomainState} number ({@code no_state} for one unknown). */
  public static VmState fromLibvirt(int state) {
    return switch (state) {
      case 1 -> RUNNING;
      case 2 -> BLOCKED;
      case 3 -> PAUSED;
      case 4 -> SHUTTING_DOWN;
      case 5 -> SHUT_OFF;
      case 6 -> CRASHED;
      case 7 -> PM_SUSPENDED;
      default -> NO_STATE;
    };
  }

  /** The state libvirt-java's {@code getInfo()} reports. */
  public static VmState of(DomainInfo.DomainState state) {
    return switch (state) {
      case VIR_DOMAIN_RUNNING -> RUNNING;
      case VIR_DOMAIN_BLOCKED -> BLOCKED;
      case VIR_DOMAIN_PAUSED -> PAUSED;
      case VIR_DOMAIN_SHUTDOWN -> SHUTTING_DOWN;
      case VIR_DOMAIN_SHUTOFF -> SHUT_OFF;
      case VIR_DOMAIN_CRASHED -> CRASHED;
      case VIR_DOMAIN_NOSTATE -> NO_STATE;
    };
  }

  /** libvirt's reason number for this state as a lower-case word. */
  String reason(int reason) {
    return reason >= 0 && reason < reasons.size() ? reasons.get(reason) : "unknown";
  }

  @Override
  public String toString() {
    return wire;
  }
}
