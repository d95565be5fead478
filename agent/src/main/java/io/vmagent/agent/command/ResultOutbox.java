package io.vmagent.agent.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.agent.retry.ErrorAnswer;
import io.vmagent.agent.retry.Verdict;
import io.vmagent.agent.spool.DurableQueue;
import io.vmagent.agent.spool.Spool;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where command results go once the journal holds them: the results spool, delivered one by one,
 * each acknowledged result marked delivered in the journal. At start it queues again every result
 * the backend has not acknowledged. The only place that touches the journal after a command ran.
 */
public final class ResultOutbox {
  private static final Logger log = LoggerFactory.getLogger(ResultOutbox.class);
  private static final ObjectMapper JSON = ProtocolJson.tolerantMapper();
  // The backend's longest deadline is one day; a week leaves room for a long outage.
  private static final Duration KEEP_DELIVERED = Duration.ofDays(7);

  /** Sends one result to the backend. */
  @FunctionalInterface
  public interface Sender {
    void send(CommandResult result) throws IOException;
  }

  private final CommandJournal journal;
  private final Sender sender;
  private final Spool spool;

  public ResultOutbox(
      CommandJournal journal, DurableQueue queue, Sender sender, Spool.ContactListener contact) {
    this.journal = Objects.requireNonNull(journal, "journal == null");
    this.sender = Objects.requireNonNull(sender, "sender == null");
    this.spool = new Spool(queue, 1, Duration.ZERO, this::deliver, contact);
  }

  /** The results spool. */
  public Spool spool() {
    return spool;
  }

  /**
   * Queues every result not yet acknowledged, reports commands a crash cut short (through {@code
   * dispatcher}), and removes delivered entries older than a week.
   */
  public void recover(CommandDispatcher dispatcher) throws IOException {
    int requeued = 0;
    for (JournalEntry entry : journal.all()) {
      if (!entry.finished()) {
        accept(dispatcher.interrupted(entry).result());
        requeued++;
      } else if (!entry.delivered()) {
        accept(entry.result());
        requeued++;
      }
    }
    if (requeued > 0) {
      log.info("{} command results from before the restart queued for delivery", requeued);
    }
    int pruned = journal.prune(Instant.now().minus(KEEP_DELIVERED));
    if (pruned > 0) {
      log.debug("{} journal entries older than 7 days removed", pruned);
    }
  }

  /** Spools a result the journal holds. */
  public void accept(CommandResult result) {
    try {
      // No fsync: the journal already holds the result durably and re-queues it after a crash.
      spool.append(JSON.writeValueAsBytes(result), false);
    } catch (IOException e) {
      // The journal holds the result: it is re-queued at the next start.
      log.error("result of command {} cannot be spooled: {}", result.commandId(), e.getMessage());
    }
  }

  /**
   * Delivers spooled results in order. A 409 CONFLICT is final: the backend no longer takes a
   * result for that command (it expired, or was never leased to this agent) and keeps this one only
   * as its late result, so sending it again could never succeed. It is logged and leaves the spool
   * as delivered; the journal keeps the entry, so a redelivery is still answered from it.
   */
  void deliver(List<byte[]> records) throws IOException {
    for (byte[] record : records) {
      CommandResult result = JSON.readValue(record, CommandResult.class);
      try {
        sender.send(result);
      } catch (ErrorAnswer e) {
        if (e.status() == ErrorCode.CONFLICT.httpStatus()) {
          journal.delivered(result.commandId());
          log.warn(
              "result of command {} ({}) refused as too late and not sent again: {}",
              result.commandId(),
              result.status().wire(),
              e.getMessage());
          continue;
        }
        if (e.verdict() == Verdict.PERMANENT) {
          // Refused for good (the spool drops it): do not queue it again at the next start.
          journal.delivered(result.commandId());
        }
        throw e;
      }
      journal.delivered(result.commandId());
      log.info("result of command {} delivered ({})", result.commandId(), result.status().wire());
    }
  }
}
