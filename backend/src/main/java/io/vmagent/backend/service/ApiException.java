package io.vmagent.backend.service;

import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.FieldViolation;
import java.time.Duration;
import java.util.List;

/**
 * A request the backend refuses, with the error code and the detail that become its problem
 * document. The detail never contains a secret.
 */
public final class ApiException extends RuntimeException {
  private final ErrorCode code;
  private final List<FieldViolation> violations;
  private final Duration retryAfter;
  private final Duration hold;

  /** A refusal with this code and detail. */
  public ApiException(ErrorCode code, String detail) {
    this(code, detail, List.of());
  }

  /** A refusal of a bad request, naming each rejected field. */
  public ApiException(ErrorCode code, String detail, List<FieldViolation> violations) {
    this(code, detail, violations, null, null);
  }

  private ApiException(
      ErrorCode code,
      String detail,
      List<FieldViolation> violations,
      Duration retryAfter,
      Duration hold) {
    super(detail, null, false, false);
    this.code = code;
    this.violations = List.copyOf(violations);
    this.retryAfter = retryAfter;
    this.hold = hold;
  }

  /**
   * This refusal, answered only after {@code hold}: for a client that goes on sending what it was
   * already told to stop, so that looping on it costs the backend a timer, not a core.
   */
  public ApiException heldFor(Duration hold) {
    return new ApiException(code, getMessage(), violations, retryAfter, hold);
  }

  /** How long the answer is held back before it is written; null for at once. */
  public Duration hold() {
    return hold;
  }

  /** 429: a limit was reached; the client may try again after {@code retryAfter}. */
  public static ApiException rateLimited(String detail, Duration retryAfter) {
    return new ApiException(ErrorCode.RATE_LIMITED, detail, List.of(), retryAfter, null);
  }

  /** 503: the backend is at capacity now; the client may try again after {@code retryAfter}. */
  public static ApiException busy(String detail, Duration retryAfter) {
    return new ApiException(ErrorCode.BACKEND_UNAVAILABLE, detail, List.of(), retryAfter, null);
  }

  /** How long the client should wait before trying again, when the refusal says. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** The error code. */
  public ErrorCode code() {
    return code;
  }

  /** The rejected fields; empty unless the request broke the schema. */
  public List<FieldViolation> violations() {
    return violations;
  }

  /** 400 with this detail. */
  public static ApiException badRequest(String detail) {
    return new ApiException(ErrorCode.BAD_REQUEST, detail);
  }

  /** 401 with this detail. */
  public static ApiException unauthorized(String detail) {
    return new ApiException(ErrorCode.UNAUTHORIZED, detail);
  }

  /** 403 with this detail. */
  public static ApiException forbidden(String detail) {
    return new ApiException(ErrorCode.FORBIDDEN, detail);
  }

  /** 404 with this detail. */
  public static ApiException notFound(String detail) {
    return new ApiException(ErrorCode.NOT_FOUND, detail);
  }
}
