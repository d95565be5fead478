package io.vmagent.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How VM states are spelled on the wire. Protocol 3 writes libvirt's states with an underscore
 * between words ({@code no_state}, {@code running}, {@code blocked}, {@code paused}, {@code
 * shutting_down}, {@code shut_off}, {@code crashed}, {@code pm_suspended}); earlier agents wrote
 * some of them as libvirt's C names do ({@code nostate}, {@code shutdown}, {@code shutoff}, {@code
 * pmsuspended}). This is the one table between the two spellings.
 */
public final class VmStates {
  /**
   * The protocol version that spells states this way; a backend of an older one gets {@link
   * #legacy}.
   */
  public static final int SINCE_PROTOCOL = 3;

  private static final Map<String, String> CURRENT =
      Map.of(
          "nostate", "no_state",
          "shutdown", "shutting_down",
          "shutoff", "shut_off",
          "pmsuspended", "pm_suspended");
  private static final Map<String, String> LEGACY =
      Map.of(
          "no_state", "nostate",
          "shutting_down", "shutdown",
          "shut_off", "shutoff",
          "pm_suspended", "pmsuspended");

  private VmStates() {}

  /** The protocol-3 spelling of {@code state}, which may be an earlier agent's; null stays null. */
  public static String current(String state) {
    return state == null ? null : CURRENT.getOrDefault(state, state);
  }

  /** The spelling a backend of protocol 1 or 2 knows for {@code state}; null stays null. */
  public static String legacy(String state) {
    return state == null ? null : LEGACY.getOrDefault(state, state);
  }

  /** The inventory as a backend of {@code protocol} spells it. */
  public static List<VmSummary> forProtocol(List<VmSummary> vms, int protocol) {
    if (vms == null || protocol >= SINCE_PROTOCOL) {
      return vms;
    }
    List<VmSummary> spelled = new ArrayList<>(vms.size());
    for (VmSummary vm : vms) {
      spelled.add(new VmSummary(vm.name(), vm.uuid(), legacy(vm.state())));
    }
    return spelled;
  }

  /** Whether {@link #forProtocol} would change anything for a backend older than protocol 3. */
  public static boolean spelledDifferently(List<VmSummary> vms) {
    return vms != null && vms.stream().anyMatch(vm -> LEGACY.containsKey(vm.state()));
  }
}
