package io.vmagent.agent.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.agent.backend.BackendClient;
import io.vmagent.agent.libvirt.VmEventListener;
import io.vmagent.agent.libvirt.VmLifecycleEvent;
import io.vmagent.agent.spool.Spool;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.VmEvent;
import io.vmagent.protocol.VmEventType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns libvirt lifecycle events into protocol {@link VmEvent}s with a sequence that increases
 * across restarts and the clock offset estimated when they happened, and appends them to the events
 * spool, whose drainer batches them (at most a second) for the backend.
 */
public final class EventForwarder implements VmEventListener {
  private static final Logger log = LoggerFactory.getLogger(EventForwarder.class);
  private static final ObjectMapper JSON = ProtocolJson.tolerantMapper();

  /** How long a batch of lifecycle events may wait for more events to join it. */
  public static final Duration GATHER = Duration.ofMillis(250);

  private final EventSequence sequence;
  private final Spool spool;
  private final Supplier<Optional<Duration>> clockOffset;

  /**
   * How the events spool reaches the backend: its records decoded, as one batch. An event whose
   * type the backend's protocol does not have yet is left out (and counted as delivered): the
   * backend's strict schema would refuse the whole batch with a 400 for it. The clock offset goes
   * only to a backend of protocol 4 or newer.
   */
  public static Spool.Delivery delivery(BackendClient client) {
    Set<VmEventType> unsent = ConcurrentHashMap.newKeySet();
    return records -> {
      List<VmEvent> batch = new ArrayList<>();
      int protocol = Integer.MAX_VALUE;
      for (byte[] record : records) {
        VmEvent event = JSON.readValue(record, VmEvent.class);
        if ((event.eventType().since() > 1 || event.clockOffsetMs() != null)
            && protocol == Integer.MAX_VALUE) {
          protocol = client.session().protocolVersion();
        }
        if (event.eventType().since() > protocol) {
          leftOut(unsent, event.eventType(), protocol);
        } else {
          batch.add(event.forProtocol(protocol));
        }
      }
      if (batch.isEmpty()) {
        return;
      }
      client.submitEvents(new EventBatch(batch));
      log.debug("{} lifecycle events delivered", batch.size());
    };
  }

  private static void leftOut(Set<VmEventType> unsent, VmEventType type, int protocol) {
    if (unsent.add(type)) {
      log.info(
          "lifecycle events of type {} are not sent: the backend speaks protocol {}, which has no"
              + " such type (protocol {} has); they are dropped until the backend is upgraded",
          type.wire(),
          protocol,
          type.since());
    }
  }

  /** Events without a clock offset. */
  public EventForwarder(EventSequence sequence, Spool spool) {
    this(sequence, spool, Optional::empty);
  }

  /** Events carrying {@code clockOffset}'s estimate at the time they are spooled. */
  public EventForwarder(
      EventSequence sequence, Spool spool, Supplier<Optional<Duration>> clockOffset) {
    this.sequence = sequence;
    this.spool = spool;
    this.clockOffset = clockOffset;
  }

  @Override
  public void onEvent(VmLifecycleEvent event) {
    VmEventType type = typeOf(event.type());
    // An event without a protocol name keeps libvirt's name for it in its detail.
    String detail =
        type == VmEventType.OTHER ? cut(event.type() + ": " + event.detail()) : event.detail();
    try {
      VmEvent vmEvent =
          new VmEvent(
              sequence.next(),
              event.occurredAt(),
              event.vm(),
              event.uuid(),
              type,
              detail,
              clockOffset.get().map(Duration::toMillis).orElse(null));
      spool.append(JSON.writeValueAsBytes(vmEvent), true);
      log.debug("event {} {} of {} spooled", vmEvent.sequence(), type.wire(), event.vm());
    } catch (IOException e) {
      log.error(
          "lifecycle event {} of {} lost: the spool cannot be written: {}",
          event.type(),
          event.vm(),
          e.getMessage());
    }
  }

  /** The protocol's type for a libvirt event name; {@code other} for one it has no name for. */
  static VmEventType typeOf(String libvirtType) {
    for (VmEventType type : VmEventType.values()) {
      if (type != VmEventType.OTHER && type.wire().equals(libvirtType)) {
        return type;
      }
    }
    return VmEventType.OTHER;
  }

  private static String cut(String text) {
    return text.length() <= 256 ? text : text.substring(0, 253) + "...";
  }
}
