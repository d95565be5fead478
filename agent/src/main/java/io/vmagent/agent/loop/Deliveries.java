package io.vmagent.agent.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.agent.backend.BackendClient;
import io.vmagent.agent.backend.BackendHttpException;
import io.vmagent.agent.command.CommandJournal;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ErrorCode;
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
 * How each spool's records reach the backend: results one by one (each acknowledged result is
 * marked delivered in the journal), events and metrics as batches.
 */
public final class Deliveries {
  private static final Logger log = LoggerFactory.getLogger(Deliveries.class);
  private static final ObjectMapper JSON = ProtocolJson.tolerantMapper();

  private final BackendClient client;
  private final CommandJournal journal;

  public Deliveries(BackendClient client, CommandJournal journal) {
    this.client = client;
    this.journal = journal;
  }

  /** The spool record of a result. */
  public static byte[] record(CommandResult result) throws IOException {
    return JSON.writeValueAsBytes(result);
  }

  /**
   * Delivers spooled results in order. A 409 CONFLICT is final: the backend no longer takes a
   * result for that command (it expired, or was never leased to this agent) and keeps this one only
   * as its late result, so sending it again could never succeed. It is logged and leaves the spool
   * as delivered; the journal keeps the entry, so a redelivery is still answered from it.
   */
  public void results(List<byte[]> records) throws IOException {
    for (byte[] record : records) {
      CommandResult result = JSON.readValue(record, CommandResult.class);
      try {
        client.submitResult(result);
      } catch (BackendHttpException e) {
        if (e.status() == ErrorCode.CONFLICT.httpStatus()) {
          journal.delivered(result.commandId());
          log.warn(
              "result of command {} ({}) refused as too late and not sent again: {}",
              result.commandId(),
              result.status().wire(),
              e.getMessage());
          continue;
        }
        if (e.status() >= 400 && e.status() < 500 && e.status() != 401 && e.status() != 429) {
          // Refused for good (the spool drops it): do not queue it again at the next start.
          journal.delivered(result.commandId());
        }
        throw e;
      }
      journal.delivered(result.commandId());
      log.info("result of command {} delivered ({})", result.commandId(), result.status().wire());
    }
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
