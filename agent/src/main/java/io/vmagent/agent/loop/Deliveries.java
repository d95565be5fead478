package io.vmagent.agent.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.agent.backend.BackendClient;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.VmEvent;
import io.vmagent.protocol.VmEventType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the events and metrics spools reach the backend: as batches (results go through the {@code
 * ResultOutbox}).
 */
public final class Deliveries {
  private static final Logger log = LoggerFactory.getLogger(Deliveries.class);
  private static final ObjectMapper JSON = ProtocolJson.tolerantMapper();

  private final BackendClient client;
  private final Set<VmEventType> unsent = ConcurrentHashMap.newKeySet();

  public Deliveries(BackendClient client) {
    this.client = client;
  }

  /**
   * Delivers a batch of spooled lifecycle events. An event whose type the backend's protocol does
   * not have yet is left out (and counted as delivered): the backend's strict schema would refuse
   * the whole batch with a 400 for it.
   */
  public void events(List<byte[]> records) throws IOException {
    List<VmEvent> batch = new ArrayList<>();
    int protocol = Integer.MAX_VALUE;
    for (byte[] record : records) {
      VmEvent event = JSON.readValue(record, VmEvent.class);
      if (event.eventType().since() > 1 && protocol == Integer.MAX_VALUE) {
        protocol = client.session().protocolVersion();
      }
      if (event.eventType().since() > protocol) {
        leftOut(event.eventType(), protocol);
      } else {
        batch.add(event);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    client.submitEvents(new EventBatch(batch));
    log.debug("{} lifecycle events delivered", batch.size());
  }

  private void leftOut(VmEventType type, int protocol) {
    if (unsent.add(type)) {
      log.info(
          "lifecycle events of type {} are not sent: the backend speaks protocol {}, which has no"
              + " such type (protocol {} has); they are dropped until the backend is upgraded",
          type.wire(),
          protocol,
          type.since());
    }
  }

  /** Delivers a batch of spooled metrics samples. */
  public void metrics(List<byte[]> records) throws IOException {
    List<MetricsSample> batch = new ArrayList<>();
    for (byte[] record : records) {
      batch.add(JSON.readValue(record, MetricsSample.class));
    }
    client.submitMetrics(new MetricsBatch(batch));
    log.debug("{} metrics samples delivered", batch.size());
  }
}
