package io.vmagent.agent.libvirt;

import io.vmagent.agent.operation.OperationFailure;
import io.vmagent.protocol.ErrorCode;

/**
 * A VM operation or libvirt call that failed, with its stable {@link ErrorCode} and the message
 * libvirt gave (or ours, when the failure was detected before reaching libvirt).
 */
public final class VmOperationException extends OperationFailure {
  private static final long serialVersionUID = 1L;

  public VmOperationException(ErrorCode code, String message) {
    super(code, message);
  }

  public VmOperationException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
