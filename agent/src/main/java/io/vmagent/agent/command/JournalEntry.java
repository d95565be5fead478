package io.vmagent.agent.command;

import io.vmagent.protocol.CommandResult;
import java.time.Instant;

/**
 * What the journal knows about one command.
 *
 * @param commandId the command's id
 * @param operation its operation
 * @param startedAt when the agent started it (or decided not to)
 * @param result its outcome; null while it runs (or when the agent died running it)
 * @param delivered whether the backend acknowledged the result
 * @param vm the command's {@code vm} parameter while it runs, so a command cut short can say what
 *     it left; null once it finished, and in entries written before the field existed
 */
public record JournalEntry(
    String commandId,
    String operation,
    Instant startedAt,
    CommandResult result,
    boolean delivered,
    String vm) {

  /** Whether the command has an outcome. */
  public boolean finished() {
    return result != null;
  }
}
