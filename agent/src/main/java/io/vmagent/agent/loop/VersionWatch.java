package io.vmagent.agent.loop;

import io.vmagent.agent.backend.BackendClient;
import io.vmagent.agent.util.AgentVersion;
import io.vmagent.protocol.UpdateInfo;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest agent version the backend names (in heartbeats and the update check), logged once when
 * it differs from this one; the agent does not update itself.
 */
public final class VersionWatch implements PeriodicLoop.Round {
  private static final Logger log = LoggerFactory.getLogger(VersionWatch.class);

  private final BackendClient client;
  private final AtomicReference<String> newest = new AtomicReference<>();

  public VersionWatch(BackendClient client) {
    this.client = client;
  }

  /** The update check: asks the backend for the newest version. */
  @Override
  public void run() throws IOException {
    UpdateInfo info = client.latestVersion(AgentVersion.current());
    if (info.latestVersion() != null) {
      note(info.latestVersion());
    }
  }

  /** The backend named {@code latest} as the newest version. */
  public void note(String latest) {
    String before = newest.getAndSet(latest);
    if (!latest.equals(before) && !latest.equals(AgentVersion.current())) {
      log.info(
          "a newer agent version may be available: {} (running {}); the agent does not update"
              + " itself",
          latest,
          AgentVersion.current());
    }
  }

  /** The newest version named so far, or null. */
  public String newest() {
    return newest.get();
  }
}
