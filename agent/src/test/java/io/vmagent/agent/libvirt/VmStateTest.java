package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VmStateTest {
  @Test
  void pausedReasonsFollowLibvirtsVirDomainPausedReasonNumbers() {
    // VIR_DOMAIN_PAUSED_CRASHED = 10, ..._STARTING_UP = 11, ..._API_ERROR = 14 (libvirt 10.x).
    assertThat(VmState.PAUSED.reason(10)).isEqualTo("crashed");
    assertThat(VmState.PAUSED.reason(11)).isEqualTo("starting_up");
    assertThat(VmState.PAUSED.reason(14)).isEqualTo("api_error");
    assertThat(VmState.PAUSED.reason(15)).isEqualTo("unknown");
  }

  @Test
  void reasonTablesExistForLibvirtsEightStatesOnly() {
    assertThat(VmState.libvirtReasons(5)).startsWith("unknown", "shutdown", "destroyed");
    assertThat(VmState.libvirtReasons(8)).isEmpty();
    assertThat(VmState.libvirtReasons(-1)).isEmpty();
  }
}
