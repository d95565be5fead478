package io.vmagent.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.agent.libvirt.VmLifecycleEvent;
import io.vmagent.agent.spool.DurableQueue;
import io.vmagent.agent.spool.Spool;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.VmEvent;
import io.vmagent.protocol.VmEventType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarder gets the events {@code LibvirtConnectionManager} publishes from libvirt's
 * callbacks; libvirt's test driver emits no reboot event (neither {@code virDomainReboot} nor
 * {@code virDomainReset} on {@code test:///} raises one), so the reboot callback's event is given
 * here as the manager builds it.
 */
class EventForwarderTest {
  private static final String UUID = "00000008-aaaa-4bbb-8ccc-000000000008";

  @TempDir Path state;

  @Test
  void rebootAndEventsWithoutAProtocolNameAreSpooledNotDropped() throws Exception {
    Instant at = Instant.parse("2026-12-06T16:00:00Z");
    List<VmEvent> spooled =
        forward(
            new VmLifecycleEvent("idle-01", UUID, "started", "booted", at),
            new VmLifecycleEvent("idle-01", UUID, "rebooted", "reset", at.plusSeconds(1)),
            new VmLifecycleEvent("idle-01", UUID, "unknown", "unknown", at.plusSeconds(2)));

    assertThat(spooled)
        .extracting(VmEvent::eventType, VmEvent::detail)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(VmEventType.STARTED, "booted"),
            org.assertj.core.groups.Tuple.tuple(VmEventType.REBOOTED, "reset"),
            org.assertj.core.groups.Tuple.tuple(VmEventType.OTHER, "unknown: unknown"));
    assertThat(spooled).extracting(VmEvent::sequence).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void eventsCarryTheClockOffsetEstimatedWhenTheyHappenedAndOnlyToABackendOfProtocol4()
      throws Exception {
    Instant at = Instant.parse("2026-12-06T16:00:00Z");
    AtomicReference<Optional<Duration>> offset = new AtomicReference<>(Optional.empty());
    DurableQueue queue = new DurableQueue("events", state.resolve("spool"), 1 << 20, 0);
    List<VmEvent> spooled = new ArrayList<>();
    try (Spool spool = new Spool(queue, 500, Duration.ZERO, records -> {}, reached -> {})) {
      EventForwarder forwarder = new EventForwarder(new EventSequence(state), spool, offset::get);
      forwarder.onEvent(new VmLifecycleEvent("idle-01", UUID, "started", "booted", at));
      offset.set(Optional.of(Duration.ofMillis(-1500)));
      forwarder.onEvent(new VmLifecycleEvent("idle-01", UUID, "stopped", "shutdown", at));
      for (byte[] record : queue.peek(3)) {
        spooled.add(ProtocolJson.tolerantMapper().readValue(record, VmEvent.class));
      }
    }

    assertThat(spooled).extracting(VmEvent::clockOffsetMs).containsExactly(null, -1500L);
    assertThat(spooled.get(1).correctedTime()).isEqualTo(at.plusMillis(1500));
    assertThat(spooled.get(1).forProtocol(3).clockOffsetMs()).isNull();
    assertThat(spooled.get(1).forProtocol(4)).isEqualTo(spooled.get(1));
  }

  private List<VmEvent> forward(VmLifecycleEvent... events) throws Exception {
    DurableQueue queue = new DurableQueue("events", state.resolve("spool"), 1 << 20, 0);
    try (Spool spool = new Spool(queue, 500, Duration.ZERO, records -> {}, reached -> {})) {
      EventForwarder forwarder = new EventForwarder(new EventSequence(state), spool);
      for (VmLifecycleEvent event : events) {
        forwarder.onEvent(event);
      }
      List<VmEvent> spooled = new ArrayList<>();
      for (byte[] record : queue.peek(events.length + 1)) {
        spooled.add(ProtocolJson.tolerantMapper().readValue(record, VmEvent.class));
      }
      return spooled;
    }
  }
}
