package io.vmagent.protocol;

import java.time.Instant;
import java.util.List;

/**
 * The commands leased to an agent by one poll; empty when none came within the wait.
 *
 * @param commands the commands, oldest first
 * @param serverTime the backend's clock when it answered, so the agent judges the commands'
 *     deadlines against the backend's clock rather than its own; absent from an older backend
 */
public record CommandBatch(List<Command> commands, Instant serverTime) {

  /** A batch without the backend's clock, as an older backend gives it. */
  public CommandBatch(List<Command> commands) {
    this(commands, null);
  }

  /** Normalises an absent list to an empty one. */
  public CommandBatch {
    commands = Copies.list(commands);
  }
}
