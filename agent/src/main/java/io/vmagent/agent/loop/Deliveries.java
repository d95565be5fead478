package io.vmagent.agent.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.agent.backend.BackendClient;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.VmEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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

  public Deliveries(BackendClient client) {
    this.client = client;
  }

  /** Delivers a batch of spooled lifecycle events. */
  public void events(List<byte[]> records) throws IOException {
    List<VmEvent> batch = new ArrayList<>();
    for (byte[] record : records) {
      batch.add(JSON.readValue(record, VmEvent.class));
    }
    client.submitEvents(new EventBatch(batch));
    log.debug("{} lifecycle events delivered", batch.size());
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
