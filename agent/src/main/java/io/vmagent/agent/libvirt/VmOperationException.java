package io.vmagent.agent.libvirt;

import io.vmagent.protocol.ErrorCode;
import java.util.Objects;

/**
 * A VM operation or libvirt call that failed, with its stable {@link ErrorCode} and the message
 * libvirt gave (or ours, when the failure was detected before reaching libvirt).
 */
public final class VmOperationException extends RuntimeException {
  private final ErrorCode code;

  public VmOperationException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code == null");
  }

  public VmOperationException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code == null");
  }

  /** The stable error code reported to the backend and printed by the command line. */
  public ErrorCode code() {
    return code;
  }
}
