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
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns libvirt lifecycle events into protocol {@link VmEvent}s with a sequence that increases
 * across restarts and appends them to the events spool, whose drainer batches them (at most a
 * second) for the backend.
 */
public final class EventForwarder implements VmEventListener {
  private static final Logger log = LoggerFactory.getLogger(EventForwarder.class);
  private static final ObjectMapper JSON = ProtocolJson.tolerantMapper();

  /** How long a batch of lifecycle events may wait for more events to join it. */
  public static final Duration GATHER = Duration.ofMillis(250);

  private final EventSequence sequence;
  private final Spool spool;

  /** How the events spool reaches the backend: its records decoded, as one batch. */
  public static Spool.Delivery delivery(BackendClient client) {
    return records -> {
      List<VmEvent> batch = new ArrayList<>();
      for (byte[] record : records) {
        batch.add(JSON.readValue(record, VmEvent.class));
      }
      client.submitEvents(new EventBatch(batch));
      log.debug("{} lifecycle events delivered", batch.size());
    };
  }

  public EventForwarder(EventSequence sequence, Spool spool) {
    this.sequence = sequence;
    this.spool = spool;
  }

  @Override
  public void onEvent(VmLifecycleEvent event) {
    VmEventType type;
    try {
      type = VmEventType.valueOf(event.type().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      log.debug(
          "lifecycle event {} of {} has no protocol type; not forwarded", event.type(), event.vm());
      return;
    }
    try {
      VmEvent vmEvent =
          new VmEvent(
              sequence.next(), event.occurredAt(), event.vm(), event.uuid(), type, event.detail());
      spool.append(JSON.writeValueAsBytes(vmEvent), true);
      log.debug("event {} {} of {} spooled", vmEvent.sequence(), type, event.vm());
    } catch (IOException e) {
      log.error(
          "lifecycle event {} of {} lost: the spool cannot be written: {}",
          event.type(),
          event.vm(),
          e.getMessage());
    }
  }
}
