package io.vmagent.agent.metrics.domain;

import io.vmagent.agent.libvirt.VmState;
import java.util.List;

/**
 * Names of libvirt's {@code virDomainState} values and of their reasons in the metrics snapshot:
 * the operations' names ({@link VmState#wire()}), so that both spell {@code shut_off} alike.
 */
final class DomainStates {
  /** The last {@code virDomainState} number libvirt defines ({@code VIR_DOMAIN_PMSUSPENDED}). */
  private static final int LAST_STATE = 7;

  private DomainStates() {}

  static String state(int state) {
    if (state < 0) {
      return null;
    }
    return state <= LAST_STATE ? VmState.fromLibvirt(state).wire() : "state_" + state;
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
