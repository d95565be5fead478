package io.vmagent.protocol;

import java.util.List;

/**
 * One page of commands, newest first.
 *
 * @param commands the commands of this page
 * @param next the cursor for the next (older) page ({@code after=next}); null on the last page
 */
public record CommandList(List<CommandView> commands, String next) {
  /** Commands per page when the caller names no {@code limit}. */
  public static final int DEFAULT_PAGE = 50;

  /** The most commands one page holds. */
  public static final int MAX_PAGE = 500;

  /** Normalises an absent list to an empty one. */
  public CommandList {
    commands = Copies.list(commands);
  }
}
