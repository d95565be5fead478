package io.vmagent.agent.backend;

/** Which failures of a request the transport retries in place. */
public enum RetryMode {
  /**
   * Connection failures, timeouts and answers whose {@link io.vmagent.agent.retry.Verdict} is to
   * retry (429 after its {@code Retry-After}, 408, 5xx): for requests that are harmless to repeat
   * (heartbeat, poll, register).
   */
  SAFE,
  /**
   * Only failures where the request never reached the backend (connection refused or not
   * established), and 429/503 which the backend sends without acting: for refresh, whose token is
   * spent the moment the backend reads it.
   */
  NOT_SENT_ONLY,
  /**
   * One attempt: the caller retries with its own backoff (the spool drainers, which keep the
   * records on disk meanwhile), so no retry runs inside another.
   */
  ONCE
}
