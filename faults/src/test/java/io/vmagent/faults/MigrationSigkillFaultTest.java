package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.backend.RunningBackend;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.testing.AgentProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source agent, a real agent process, is SIGKILLed in the middle of a live migration between
 * the two private libvirt daemons {@code bin/test} starts ({@code VMAGENT_SYSTEM_LIBVIRT_URI} and
 * {@code VMAGENT_SYSTEM_LIBVIRT_URI_B}). The migration is client-driven, so both daemons see their
 * client go: the VM ends running on the source only, nothing of it on the destination, and the
 * agent started again reports the command once, as interrupted. Skipped without the two daemons.
 */
class MigrationSigkillFaultTest {
  private static final String VM = "vmagent-test-fault-migration";

  @TempDir Path dir;
  RunningBackend backend;
  AgentProcess agent;
  TwoHypervisors hosts;

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    Harness.stop(backend);
    if (hosts != null) {
      hosts.close();
    }
  }

  @Test
  void theSourceAgentKilledMidMigrationLeavesTheVmRunningOnTheSourceOnly() throws Exception {
    hosts = TwoHypervisors.open(VM);
    hosts.startVmOnSource(dir.resolve("disk.qcow2"));
    String sourceUri = hosts.sourceUri;
    String destinationUri = hosts.destinationUri;

    backend = Harness.backend(dir.resolve("backend"), 0, b -> b);
    Map<String, String> settings =
        Harness.agentSettings(
            backend.baseUrl(),
            backend.caCertificatePath(),
            dir.resolve("agent"),
            "migration-source",
            backend.createBootstrapToken(false, null),
            sourceUri);
    Path log = dir.resolve("agent.log");
    agent = AgentProcess.start(settings, log);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.exists(dir.resolve("agent/state/agent-id")));
    String id = Harness.agentId(dir.resolve("agent"));
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.log().contains("heartbeat sent"));

    // 1 MiB/s keeps the memory transfer going for seconds: the kill lands inside it.
    CommandView queued =
        backend.queueCommand(
            id,
            "migrate",
            Map.of(
                "vm",
                VM,
                "destination_uri",
                destinationUri,
                "migrate_uri",
                "unix://" + dir.resolve("stream.sock"),
                "unsafe",
                "true",
                "bandwidth_mib",
                "1",
                "deadline_seconds",
                "300"));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> hosts.dataMoving());
    agent.kill();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                hosts.state(hosts.source).equals("running")
                    && hosts.state(hosts.destination).equals("absent"));

    agent = AgentProcess.start(settings, log);
    CommandView done = backend.awaitCommand(queued.id(), Duration.ofSeconds(60));
    assertThat(done.state()).isEqualTo(CommandState.FAILED);
    assertThat(done.result().error().message()).contains("not run again");
    assertThat(hosts.state(hosts.source)).isEqualTo("running");
    assertThat(hosts.state(hosts.destination)).isEqualTo("absent");
    Matcher started =
        Pattern.compile("command " + queued.id() + " \\(migrate[^\\n]*\\) started")
            .matcher(agent.log());
    assertThat(started.results().count()).as("the migration started once").isEqualTo(1);
  }
}
