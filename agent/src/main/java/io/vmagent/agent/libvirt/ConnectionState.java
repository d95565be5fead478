package io.vmagent.agent.libvirt;

/** Whether the agent currently holds a working libvirt connection. */
public enum ConnectionState {
  /** Not started yet, or opening the first connection. */
  CONNECTING,
  /** A connection is open and calls go through. */
  CONNECTED,
  /** The connection was lost or could not be opened; reconnecting with backoff. */
  DEGRADED,
  /** Closed for good (the agent is shutting down). */
  CLOSED
}
