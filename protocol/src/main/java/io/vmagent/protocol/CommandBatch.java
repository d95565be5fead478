package io.vmagent.protocol;

import java.util.List;

/**
 * The commands leased to an agent by one poll; empty when none came within the wait.
 *
 * @param commands the commands, oldest first
 */
public record CommandBatch(List<Command> commands) {

  /** Normalises an absent list to an empty one. */
  public CommandBatch {
    commands = Copies.list(commands);
  }
}
