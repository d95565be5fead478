package io.vmagent.protocol;

import java.time.Instant;
import java.util.List;

/**
 * The commands leased to an agent by one poll; empty when none came within the wait.
 *
 * @param commands the commands, oldest first
 * @param serverTime the backend's clock when it answered, so the agent judges the commands'
 *     deadlines against the backend's clock rather than its own; absent from an older backend
 * @param cancelRequested the ids of the commands leased to this agent that an operator asked to
 *     cancel and that have no result yet (protocol 4, to an agent that registered with 4 or more);
 *     null when there are none
 */
public record CommandBatch(
    List<Command> commands, Instant serverTime, List<String> cancelRequested) {
  /** The protocol version from which an agent is told of cancel requests. */
  public static final int CANCEL_REQUESTED_PROTOCOL = 4;

  /**
   * Whether an agent speaking {@code protocolVersion} (null: one that named none, protocol 1) is
   * told of cancel requests; the one place both the poll's and the heartbeat's answers ask.
   */
  public static boolean toldOfCancelRequests(Integer protocolVersion) {
    return protocolVersion != null && protocolVersion >= CANCEL_REQUESTED_PROTOCOL;
  }

  /** A batch without the backend's clock, as an older backend gives it. */
  public CommandBatch(List<Command> commands) {
    this(commands, null, null);
  }

  /** A batch without cancel requests, as before protocol 4. */
  public CommandBatch(List<Command> commands, Instant serverTime) {
    this(commands, serverTime, null);
  }

  /** Normalises an absent command list to an empty one; keeps absent cancel requests absent. */
  public CommandBatch {
    commands = Copies.list(commands);
    cancelRequested = cancelRequested == null ? null : List.copyOf(cancelRequested);
  }

  /** This batch carrying {@code ids} as its cancel requests (null or empty: none). */
  public CommandBatch withCancelRequested(List<String> ids) {
    return new CommandBatch(commands, serverTime, ids == null || ids.isEmpty() ? null : ids);
  }
}
