package io.vmagent.agent.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.agent.libvirt.VmEventListener;
import io.vmagent.agent.libvirt.VmLifecycleEvent;
import io.vmagent.agent.spool.Spool;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.VmEvent;
import io.vmagent.protocol.VmEventType;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns libvirt lifecycle events into protocol {@link VmEvent}s with a sequence that increases
 * across restarts and appends them to the events spool, whose drainer batches them (at most a
 * second) for the backend.
 */
public final class EventForwarder implements VmEventListener {
  private static final Logger log = LoggerFactory.getLogger(EventForwarder.class);

  /** How long a batch of lifecycle events may wait for more events to join it. */
  public static final Duration GATHER = Duration.ofMillis(250);

  private final EventSequence sequence;
  private final Spool spool;
  private final ObjectMapper json = ProtocolJson.tolerantMapper();

  public EventForwarder(EventSequence sequence, Spool spool) {
    this.sequence = sequence;
    this.spool = spool;
  }

  @Override
  public void onEvent(VmLifecycleEvent event) {
    VmEventType type = typeOf(event.type());
    // An event without a protocol name keeps libvirt's name for it in its detail.
    String detail =
        type == VmEventType.OTHER ? cut(event.type() + ": " + event.detail()) : event.detail();
    try {
      VmEvent vmEvent =
          new VmEvent(sequence.next(), event.occurredAt(), event.vm(), event.uuid(), type, detail);
      spool.append(json.writeValueAsBytes(vmEvent), true);
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
