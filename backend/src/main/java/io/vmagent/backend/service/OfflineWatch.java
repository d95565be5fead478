package io.vmagent.backend.service;

import io.vmagent.backend.threads.Timers;
import io.vmagent.protocol.Connectivity;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each agent that goes offline, once, so operators see it in the backend's log (the status
 * itself is computed on every read and needs no sweep). An agent back online is logged by the
 * heartbeat that brings it back, and one that stopped cleanly by the heartbeat that said so.
 */
public final class OfflineWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OfflineWatch.class);

  private final Supplier<java.util.List<AgentService.Liveness>> agents;
  private final ScheduledExecutorService timer;
  private Set<String> offline;

  /** Checks {@code agents} every {@code period}. */
  public OfflineWatch(Supplier<java.util.List<AgentService.Liveness>> agents, Duration period) {
    this.agents = agents;
    this.timer = Timers.daemon("vm-backend-offline-watch");
    long millis = period.toMillis();
    var unused = timer.scheduleWithFixedDelay(this::sweep, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    try {
      Set<String> now = new HashSet<>();
      for (AgentService.Liveness agent : agents.get()) {
        if (agent.connectivity() == Connectivity.OFFLINE) {
          now.add(agent.agentId());
          // An agent that said it was stopping was logged then, at INFO: not again as a warning.
          if (offline != null && !offline.contains(agent.agentId()) && !agent.stopped()) {
            LOG.warn(
                "agent {} is offline: no heartbeat since {} (interval {} s)",
                agent.agentId(),
                agent.lastSeen(),
                agent.intervalSeconds());
          }
        }
      }
      // The first sweep only learns who is offline already, so a restart does not re-announce.
      offline = now;
    } catch (RuntimeException e) {
      LOG.warn("offline check failed; retrying at the next round", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
