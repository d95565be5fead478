package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.Agent;
import io.vmagent.agent.libvirt.VmLifecycleEvent;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reboots, and libvirt events the protocol has no name for, reach a backend of protocol 3. */
class RebootEventE2eTest {
  @TempDir Path dir;

  @Test
  void rebootAndOtherEventsAreStored() throws Exception {
    RunningBackend backend = E2e.backend(dir.resolve("backend"), ClientAuth.OPTIONAL, 0, b -> b);
    Instant at = Instant.now();
    E2e.spoolEvents(
        dir.resolve("agent"),
        new VmLifecycleEvent("app-01", null, "rebooted", "reset", at),
        new VmLifecycleEvent("app-01", null, "unknown", "unknown", at.plusMillis(1)));
    Agent agent = new Agent(E2e.config(E2e.agentSettings(backend, dir)));
    try {
      agent.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(events(backend))
                      .containsExactly("rebooted reset", "other unknown: unknown"));
    } finally {
      agent.shutdown();
      E2e.close(backend);
    }
  }

  private static List<String> events(RunningBackend backend) throws Exception {
    List<String> events = new ArrayList<>();
    try (Connection c = backend.dataSource().getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT event_type, detail FROM vm_events ORDER BY sequence_no")) {
      while (rs.next()) {
        events.add(rs.getString(1) + " " + rs.getString(2));
      }
    }
    return events;
  }
}
