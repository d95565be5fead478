package io.vmagent.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class VmStatesTest {
  @Test
  void earlierSpellingsReadAsTheOneSpellingAndOthersStay() {
    assertThat(VmStates.current("shutoff")).isEqualTo("shut_off");
    assertThat(VmStates.current("shutdown")).isEqualTo("shutting_down");
    assertThat(VmStates.current("nostate")).isEqualTo("no_state");
    assertThat(VmStates.current("pmsuspended")).isEqualTo("pm_suspended");
    assertThat(VmStates.current("shut_off")).isEqualTo("shut_off");
    assertThat(VmStates.current("running")).isEqualTo("running");
    assertThat(VmStates.current(null)).isNull();
  }

  @Test
  void aBackendBeforeProtocol3GetsTheSpellingItKnows() {
    List<VmSummary> vms =
        List.of(new VmSummary("a", null, "shut_off"), new VmSummary("b", "u", "running"));

    assertThat(VmStates.spelledDifferently(vms)).isTrue();
    assertThat(VmStates.forProtocol(vms, 2))
        .containsExactly(new VmSummary("a", null, "shutoff"), new VmSummary("b", "u", "running"));
    assertThat(VmStates.forProtocol(vms, 3)).isEqualTo(vms);
    assertThat(VmStates.spelledDifferently(List.of(new VmSummary("b", null, "paused")))).isFalse();
  }
}
