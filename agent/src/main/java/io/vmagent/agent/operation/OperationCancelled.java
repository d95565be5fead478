package io.vmagent.agent.operation;

import io.vmagent.protocol.ErrorCode;

/**
 * An operation stopped because its command was cancelled: reported with the error code {@code
 * CANCELLED} and, when the operation had started, what it found ({@code output}: for example the
 * VM's state before and after), as the result's {@code result} object.
 */
public final class OperationCancelled extends OperationFailure {
  private static final long serialVersionUID = 1L;

  // The result object travels with the exception only inside the agent, never serialised.
  private final transient Object output;

  /**
   * @param message what was cancelled and what state it left
   * @param output the operation's output up to the cancel; null when it had not started
   */
  public OperationCancelled(String message, Object output) {
    super(ErrorCode.CANCELLED, message);
    this.output = output;
  }

  /** What the operation found before it stopped; null when it had not started. */
  public Object output() {
    return output;
  }
}
