package io.vmagent.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

/**
 * What each message leaves out for a backend of an older protocol, which refuses unknown members.
 */
class ForProtocolTest {
  @Test
  void theProtocolVersionInAHeartbeatGoesOnlyToABackendOfProtocol4() {
    HeartbeatRequest beat =
        ContractFixtures.heartbeat()
            .withOperations(ContractFixtures.operations())
            .withProtocolVersion(4);

    assertThat(beat.forProtocol(4)).isEqualTo(beat);
    assertThat(beat.forProtocol(3).protocolVersion()).isNull();
    assertThat(beat.forProtocol(3).operations()).isEqualTo(beat.operations());
    assertThat(beat.forProtocol(2).protocolVersion()).isNull();
    assertThat(beat.forProtocol(2).operations()).isNull();
  }

  @Test
  void theClockOffsetOfEventsAndSamplesGoesOnlyToABackendOfProtocol4() {
    VmEvent event =
        new VmEvent(1, ContractFixtures.T0, "web-1", null, VmEventType.STARTED, null, 1500L);
    MetricsSample sample =
        new MetricsSample(ContractFixtures.T0, JsonNodeFactory.instance.objectNode(), 1500L);

    assertThat(event.forProtocol(4)).isEqualTo(event);
    assertThat(event.forProtocol(3).clockOffsetMs()).isNull();
    assertThat(event.correctedTime()).isEqualTo(ContractFixtures.T0.minusMillis(1500));
    assertThat(sample.forProtocol(4)).isEqualTo(sample);
    assertThat(sample.forProtocol(3).clockOffsetMs()).isNull();
  }
}
