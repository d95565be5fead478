package io.vmagent.agent.operation;

import io.vmagent.protocol.ErrorCode;
import java.util.Objects;

/** An operation failed or was refused for a reason the operator can act on, named by its code. */
public class OperationFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public OperationFailure(ErrorCode code, String message) {
    this(code, message, null);
  }

  public OperationFailure(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code == null");
  }

  /** The stable error code reported in the result. */
  public final ErrorCode code() {
    return code;
  }
}
