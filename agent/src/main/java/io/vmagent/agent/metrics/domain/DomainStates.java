package io.vmagent.agent.metrics.domain;

import io.vmagent.agent.libvirt.VmState;
import java.util.List;

/**
 * Names of libvirt's {@code virDomainState} values and of their reasons, as the metrics snapshot
 * spells them.
 */
final class DomainStates {
  private static final String[] STATES = {
    "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended"
  };

  private DomainStates() {}

  static String state(int state) {
    if (state < 0) {
      return null;
    }
    return state < STATES.length ? STATES[state] : "state_" + state;
  }

  static String reason(int state, int reason) {
    if (state < 0 || reason < 0) {
      return null;
    }
    // One table of libvirt's reason names, shared with the operations' state reports.
    List<String> reasons = VmState.libvirtReasons(state);
    return reason < reasons.size() ? reasons.get(reason) : "reason_" + reason;
  }
}
