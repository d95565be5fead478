package io.vmagent.agent.cli;

import io.vmagent.protocol.ErrorCode;
import java.io.Console;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --yes} and the question a destructive command asks on a terminal. Without a terminal
 * (scripts, pipes) there is nobody to ask and the command proceeds.
 */
final class Confirmation {
  @Option(
      names = {"-y", "--yes"},
      description = "Do not ask for confirmation.")
  boolean yes;

  /** Asks {@code question}; throws when the operator does not answer yes. */
  // On Java 17, the agent's runtime, a null console means no terminal: nobody to ask.
  @SuppressWarnings("SystemConsoleNull")
  void confirm(String question) {
    Console console = System.console();
    if (yes || console == null) {
      return;
    }
    String answer = console.readLine("%s [y/N] ", question);
    if (answer == null || !answer.strip().toLowerCase(Locale.ROOT).matches("y|yes")) {
      throw new CommandFailure(
          ExitCodes.FAILED, ErrorCode.OPERATION_FAILED, "cancelled; nothing was changed");
    }
  }
}
