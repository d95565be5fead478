package io.vmagent.backend.client;

import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.Problem;
import java.io.IOException;

/** The backend refused an operator request; carries its problem document. */
public final class BackendApiException extends IOException {
  private final int status;
  private final Problem problem;

  /** A refusal with this HTTP status and problem document (null when the body was not one). */
  public BackendApiException(int status, Problem problem) {
    super(
        "backend answered "
            + status
            + (problem == null
                ? ""
                : " "
                    + problem.code()
                    + ": "
                    + (problem.detail() != null ? problem.detail() : problem.title())));
    this.status = status;
    this.problem = problem;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The problem document, or null when the body was not one. */
  public Problem problem() {
    return problem;
  }

  /** The problem's error code, or {@link ErrorCode#INTERNAL} when there was none. */
  public ErrorCode code() {
    return problem == null || problem.code() == null ? ErrorCode.INTERNAL : problem.code();
  }
}
