package io.vmagent.agent.retry;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** The backend answered with an error status; {@link #verdict()} says what to do about it. */
public class ErrorAnswer extends IOException {
  private static final long serialVersionUID = 1L;

  /** The longest {@code Retry-After} a request waits for in place; a longer one ends it. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(2);

  private final int status;
  private final Duration retryAfter;

  /** An error answer that asked to be retried no sooner than {@code retryAfter} (or null). */
  public ErrorAnswer(String message, int status, Duration retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** The HTTP status. */
  public final int status() {
    return status;
  }

  /** How long the backend asked the caller to wait (429, 503 with {@code Retry-After}). */
  public final Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** What to do about this answer. */
  public final Verdict verdict() {
    return Verdict.of(status);
  }
}
