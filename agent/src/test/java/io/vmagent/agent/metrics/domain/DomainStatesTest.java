package io.vmagent.agent.metrics.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DomainStatesTest {
  @Test
  void statesAndReasonsAreNamedAsTheSnapshotDocumentsThem() {
    assertThat(DomainStates.state(3)).isEqualTo("paused");
    assertThat(DomainStates.reason(3, 10)).isEqualTo("crashed");
    assertThat(DomainStates.reason(5, 2)).isEqualTo("destroyed");
    assertThat(DomainStates.reason(1, 99)).isEqualTo("reason_99");
    assertThat(DomainStates.state(9)).isEqualTo("state_9");
    assertThat(DomainStates.reason(9, 1)).isEqualTo("reason_1");
    assertThat(DomainStates.state(-1)).isNull();
    assertThat(DomainStates.reason(3, -1)).isNull();
  }
}
