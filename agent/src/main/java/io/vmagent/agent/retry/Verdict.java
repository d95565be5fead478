package io.vmagent.agent.retry;

/** What a caller does about an error answer from the backend: the one classification. */
public enum Verdict {
  /** Try again after a backoff: 408, 5xx (the backend was busy, away or failed). */
  RETRY,
  /** Refresh the access token, then try once more: 401. */
  REFRESH,
  /** Never try this request again: every other 4xx. */
  PERMANENT,
  /** Try again no sooner than the answer's {@code Retry-After}, else after a backoff: 429. */
  RATE_LIMITED;

  /** The verdict on an error status (a status outside 400-599 counts as {@link #RETRY}). */
  public static Verdict of(int status) {
    return switch (status) {
      case 401 -> REFRESH;
      case 408 -> RETRY;
      case 429 -> RATE_LIMITED;
      default -> status >= 400 && status < 500 ? PERMANENT : RETRY;
    };
  }

  /**
   * Whether the backend answers {@code status} without acting on the request (429, 503), so that
   * even a request that must not run twice may be sent again.
   */
  public static boolean notActedOn(int status) {
    return status == 429 || status == 503;
  }
}
