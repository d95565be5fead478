package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmagent.agent.Agent;
import io.vmagent.agent.command.CommandDispatcher;
import io.vmagent.agent.loop.CommandLoop;
import io.vmagent.agent.loop.PeriodicLoop;
import io.vmagent.backend.RunningBackend;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import io.vmagent.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.DomainInfo;

/**
 * The agent's state directory (a 4 MiB tmpfs) fills up: a command that cannot be journaled must not
 * run (so it can never run twice), metrics failures are reported, the agent stays up, and once
 * space is back the command is delivered again, runs once, and metrics flow again intact.
 */
class StateDirectoryFullFaultTest {
  @TempDir Path dir;
  RunningBackend backend;
  Agent agent;
  Path mount;

  @BeforeEach
  void sharedVmRunning() throws Exception {
    Libvirt.running();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (agent != null) {
        agent.shutdown();
      }
      Harness.stop(backend);
    } finally {
      if (mount != null) {
        Tmpfs.unmount(mount);
      }
    }
  }

  @Test
  void aFullStateDirectoryStopsCommandsFromRunningUntilThereIsSpaceAndNothingRunsTwice()
      throws Exception {
    Path state = Files.createDirectories(dir.resolve("agent/state"));
    String mounted = Tmpfs.mount(state, "size=4m,mode=0700");
    assumeTrue(
        mounted == null,
        "cannot mount a tmpfs for the full-disk scenario (needs root): " + mounted);
    mount = state;

    backend = Harness.backend(dir.resolve("backend"), 0, b -> b);
    Map<String, String> settings =
        Harness.agentSettings(
            backend.baseUrl(),
            backend.caCertificatePath(),
            dir.resolve("agent"),
            "disk-full",
            backend.createBootstrapToken(false, null),
            "test:///default");
    try (LogCapture loop = new LogCapture(CommandLoop.class);
        LogCapture dispatcher = new LogCapture(CommandDispatcher.class);
        LogCapture periodic = new LogCapture(PeriodicLoop.class)) {
      agent = new Agent(Harness.config(settings));
      agent.start();
      String id = Harness.agentId(dir.resolve("agent"));
      await().atMost(Duration.ofSeconds(60)).until(() -> online(id));

      long filled = Tmpfs.fill(state.resolve("filler"));
      CommandView pause = backend.queueCommand(id, "pause", Map.of("vm", "test"));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  loop.count("command " + pause.id() + " not run: the journal cannot be written")
                      >= 1);
      Thread.sleep(6_000); // a metrics round or more on the full disk
      assertThat(domainState())
          .as("nothing ran without a journal entry")
          .isEqualTo(DomainInfo.DomainState.VIR_DOMAIN_RUNNING);
      assertThat(backend.awaitCommand(pause.id(), Duration.ZERO).state())
          .isNotEqualTo(CommandState.SUCCEEDED);
      String metricsComplaint =
          periodic.lines().stream()
              .filter(l -> l.contains("metrics failed"))
              .findFirst()
              .orElse("(none)");
      long samplesWhileFull = samples(id);

      Files.delete(state.resolve("filler"));
      Instant freed = Instant.now();
      CommandView done = backend.awaitCommand(pause.id(), Duration.ofSeconds(60));
      long recoverySeconds = Duration.between(freed, Instant.now()).toSeconds();
      assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);
      assertThat(domainState()).isEqualTo(DomainInfo.DomainState.VIR_DOMAIN_PAUSED);
      assertThat(
              dispatcher.lines().stream()
                  .filter(l -> l.contains(pause.id()) && l.contains(") started"))
                  .count())
          .as("started once")
          .isEqualTo(1);
      CommandView resume = backend.queueCommand(id, "resume", Map.of("vm", "test"));
      assertThat(backend.awaitCommand(resume.id(), Duration.ofSeconds(30)).state())
          .isEqualTo(CommandState.SUCCEEDED);
      // Metrics flow again, readable (a spool record torn by the full disk would block them).
      await().atMost(Duration.ofSeconds(60)).until(() -> samples(id) >= samplesWhileFull + 2);
      assertThat(online(id)).isTrue();
      Figures.record(
          "state directory full",
          String.format(
              "4 MiB tmpfs filled (%d bytes of filler): pause command refused to start (log:"
                  + " \"%s\"), VM left running; metrics loop reported \"%s\"; after freeing space"
                  + " the command was delivered again (delivery %d) and ran once in %d s; metrics"
                  + " delivered again",
              filled,
              loop.lines().stream()
                  .filter(l -> l.contains(pause.id()) && l.contains("not run"))
                  .findFirst()
                  .orElse(""),
              metricsComplaint,
              done.deliveries(),
              recoverySeconds));
    }
  }

  private long samples(String id) throws Exception {
    return DbFingerprint.count(
        backend.dataSource(), "SELECT COUNT(*) FROM metrics_samples WHERE agent_id = '" + id + "'");
  }

  private static DomainInfo.DomainState domainState() throws Exception {
    return Libvirt.state();
  }

  private boolean online(String id) {
    try {
      return backend.operator().showAgent(id).connectivity() == Connectivity.ONLINE;
    } catch (Exception notYet) {
      return false;
    }
  }
}
