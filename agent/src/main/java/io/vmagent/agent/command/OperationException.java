package io.vmagent.agent.command;

import io.vmagent.protocol.ErrorCode;
import java.util.Objects;

/** An operation failed for a reason the operator can act on, named by its error code. */
public final class OperationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public OperationException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code == null");
  }

  /** The stable error code reported in the result. */
  public ErrorCode code() {
    return code;
  }
}
