package io.vmagent.agent.backend;

import io.vmagent.protocol.ErrorCode;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** The backend answered with an HTTP error status; carries the status and the problem's code. */
public final class BackendHttpException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final ErrorCode code;
  private final Duration retryAfter;

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
            + (detail == null || detail.isBlank() ? "" : ": " + detail));
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** How long the backend asked the caller to wait (429, 503 with {@code Retry-After}). */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** The problem's error code ({@link ErrorCode#INTERNAL} when the body carried none). */
  public ErrorCode code() {
    return code;
  }
}
