package io.vmagent.agent.backend;

/** Which failures of a request may be retried. */
public enum RetryMode {
  /**
   * Connection failures, timeouts, 429 (after its {@code Retry-After}), 502, 503 and 504: for
   * requests the backend applies at most once (results by command id, events by sequence) or that
   * are harmless to repeat (heartbeat, poll, register).
   */
  SAFE,
  /**
   * Only failures where the request never reached the backend (connection refused or not
   * established), and 429/503 which the backend sends without acting: for refresh, whose token is
   * spent the moment the backend reads it.
   */
  NOT_SENT_ONLY
}
