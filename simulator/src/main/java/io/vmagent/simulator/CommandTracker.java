package io.vmagent.simulator;

import java.util.HashMap;
import java.util.Map;

/**
 * Times commands from the operator's queue request to the agent's result being stored. The agent
 * can see a command before the operator's queue call has returned its id, so the two events are
 * matched in whichever order they arrive.
 */
final class CommandTracker {
  private record Queued(long startNanos, WindowStats window) {}

  private final Map<String, Queued> queued = new HashMap<>();
  private final Map<String, Long> stored = new HashMap<>();

  /** The operator's queue call that started at {@code startNanos} returned this command id. */
  synchronized void queued(String commandId, long startNanos, WindowStats window) {
    Long storedAt = stored.remove(commandId);
    if (storedAt != null) {
      window.success(RequestType.COMMAND_ROUND_TRIP, (storedAt - startNanos) / 1_000);
    } else {
      queued.put(commandId, new Queued(startNanos, window));
    }
  }

  /** The backend acknowledged the result of this command at {@code nanos}. */
  synchronized void resultStored(String commandId, long nanos) {
    Queued q = queued.remove(commandId);
    if (q != null) {
      q.window().success(RequestType.COMMAND_ROUND_TRIP, (nanos - q.startNanos()) / 1_000);
    } else {
      stored.put(commandId, nanos);
    }
  }

  /** Commands queued by the simulator whose result has not been stored. */
  synchronized int outstanding() {
    return queued.size();
  }
}
