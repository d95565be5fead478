package io.vmagent.agent.loop;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;

/** What one loop has done lately, for {@code agent_info} and the heartbeat's reasons. */
public final class LoopState {
  private final String name;
  private long runs;
  private long failures;
  private Instant lastRunAt;
  private Instant lastSuccessAt;
  private String lastError;
  private long lastDurationMs;

  public LoopState(String name) {
    this.name = name;
  }

  /** The loop's name (also its thread's name). */
  public String name() {
    return name;
  }

  /** Records a successful round. */
  public synchronized void succeeded(Instant at, Duration took) {
    runs++;
    lastRunAt = at;
    lastSuccessAt = at;
    lastError = null;
    lastDurationMs = took.toMillis();
  }

  /** Records a failed round and why. */
  public synchronized void failed(Instant at, Duration took, String error) {
    runs++;
    failures++;
    lastRunAt = at;
    lastError = error;
    lastDurationMs = took.toMillis();
  }

  /** Why the last round failed; null when it succeeded (or none ran yet). */
  public synchronized String lastError() {
    return lastError;
  }

  /** When a round last succeeded; null before the first success. */
  public synchronized Instant lastSuccessAt() {
    return lastSuccessAt;
  }

  /** The state as JSON. */
  public synchronized ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("name", name);
    node.put("runs", runs);
    node.put("failures", failures);
    node.put("last_run_at", lastRunAt == null ? null : lastRunAt.toString());
    node.put("last_success_at", lastSuccessAt == null ? null : lastSuccessAt.toString());
    node.put("last_duration_ms", lastDurationMs);
    if (lastError != null) {
      node.put("last_error", lastError);
    }
    return node;
  }
}
