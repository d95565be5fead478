package io.vmagent.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * The outcome of a command, sent by the agent to {@link ProtocolPaths#RESULTS}.
 *
 * @param commandId the command's id
 * @param status succeeded or failed
 * @param result the operation's output as a JSON object (e.g. the VM's new state); may be null
 * @param error why it failed; null when it succeeded
 * @param startedAt when the agent started running it
 * @param finishedAt when it finished
 */
public record CommandResult(
    String commandId,
    ResultStatus status,
    ObjectNode result,
    CommandError error,
    Instant startedAt,
    Instant finishedAt) {

  /** A successful result. */
  public static CommandResult succeeded(
      String commandId, ObjectNode result, Instant startedAt, Instant finishedAt) {
    return new CommandResult(
        commandId, ResultStatus.SUCCEEDED, result, null, startedAt, finishedAt);
  }

  /** A failed result. */
  public static CommandResult failed(
      String commandId, CommandError error, Instant startedAt, Instant finishedAt) {
    return new CommandResult(commandId, ResultStatus.FAILED, null, error, startedAt, finishedAt);
  }
}
