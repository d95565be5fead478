package io.vmagent.simulator;

/** The kinds of request the simulator times separately. */
public enum RequestType {
  /** Agent registration with the bootstrap token. */
  REGISTER(false),
  /** Access-token refresh. */
  REFRESH(false),
  /** Periodic heartbeat. */
  HEARTBEAT(false),
  /** Periodic metrics batch. */
  METRICS(false),
  /** Long-poll for commands; its time is mostly the server's deliberate wait. */
  POLL(true),
  /** A command result posted by an agent. */
  RESULT(false),
  /** A command queued through the operator API. */
  QUEUE(false),
  /** A command from the operator's queue request to its result stored (not one request). */
  COMMAND_ROUND_TRIP(true);

  private final boolean excludedFromVerdict;

  RequestType(boolean excludedFromVerdict) {
    this.excludedFromVerdict = excludedFromVerdict;
  }

  /**
   * True for figures that are not the latency of one ordinary request (a long-poll's deliberate
   * wait, a multi-step round trip), left out of the p99 verdict.
   */
  public boolean excludedFromVerdict() {
    return excludedFromVerdict;
  }
}
