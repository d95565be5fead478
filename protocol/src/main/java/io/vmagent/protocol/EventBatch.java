package io.vmagent.protocol;

import java.util.List;

/**
 * A batch of VM lifecycle events sent to {@link ProtocolPaths#EVENTS}; at most {@link #MAX_EVENTS}.
 *
 * @param events the events
 */
public record EventBatch(List<VmEvent> events) {

  /** The most events one batch may carry. */
  public static final int MAX_EVENTS = 500;

  /** Normalises an absent list to an empty one. */
  public EventBatch {
    events = Copies.list(events);
  }
}
