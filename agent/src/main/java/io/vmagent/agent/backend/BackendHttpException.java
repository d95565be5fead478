package io.vmagent.agent.backend;

import io.vmagent.agent.retry.ErrorAnswer;
import io.vmagent.protocol.ErrorCode;
import java.time.Duration;

/** The backend answered with an HTTP error status; carries the status and the problem's code. */
public final class BackendHttpException extends ErrorAnswer {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public BackendHttpException(String request, int status, ErrorCode code, String detail) {
    this(request, status, code, detail, null);
  }

  /** An error answer that asked to be retried no sooner than {@code retryAfter} (or null). */
  public BackendHttpException(
      String request, int status, ErrorCode code, String detail, Duration retryAfter) {
    super(
        request
            + " answered HTTP "
            + status
            + " "
            + code.name()
            + (detail == null || detail.isBlank() ? "" : ": " + detail),
        status,
        retryAfter);
    this.code = code;
  }

  /** The problem's error code ({@link ErrorCode#INTERNAL} when the body carried none). */
  public ErrorCode code() {
    return code;
  }
}
