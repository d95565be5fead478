package io.vmagent.agent.backend;

import io.vmagent.protocol.ErrorCode;
import java.io.IOException;

/** The backend answered with an HTTP error status; carries the status and the problem's code. */
public final class BackendHttpException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final ErrorCode code;

  public BackendHttpException(String request, int status, ErrorCode code, String detail) {
    super(
        request + " answered HTTP " + status + " " + code.name()
            + (detail == null || detail.isBlank() ? "" : ": " + detail));
    this.status = status;
    this.code = code;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The problem's error code ({@link ErrorCode#INTERNAL} when the body carried none). */
  public ErrorCode code() {
    return code;
  }
}
