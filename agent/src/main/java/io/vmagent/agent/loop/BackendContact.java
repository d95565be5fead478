package io.vmagent.agent.loop;

import io.vmagent.agent.metrics.prometheus.AgentHealthMetrics;
import io.vmagent.agent.spool.SpoolDrainer;
import java.time.Instant;

/** When the backend last answered, for {@code agent_info} and the health metrics. */
public final class BackendContact implements SpoolDrainer.ContactListener {
  private final AgentHealthMetrics health;
  private volatile Instant last;

  public BackendContact(AgentHealthMetrics health) {
    this.health = health;
  }

  @Override
  public void contact(boolean reached) {
    if (reached) {
      last = Instant.now();
      health.backendContact();
    }
  }

  /** The last answer's time, or null before the first. */
  public Instant last() {
    return last;
  }
}
