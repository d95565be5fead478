package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmagent.backend.RunningBackend;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.testing.AgentProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;

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
  Connect source;
  Connect destination;

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    Harness.stop(backend);
    for (Connect connect : new Connect[] {source, destination}) {
      if (connect != null) {
        remove(connect);
        connect.close();
      }
    }
  }

  @Test
  void theSourceAgentKilledMidMigrationLeavesTheVmRunningOnTheSourceOnly() throws Exception {
    String sourceUri = System.getenv("VMAGENT_SYSTEM_LIBVIRT_URI");
    String destinationUri = System.getenv("VMAGENT_SYSTEM_LIBVIRT_URI_B");
    assumeTrue(
        sourceUri != null && destinationUri != null,
        "VMAGENT_SYSTEM_LIBVIRT_URI and VMAGENT_SYSTEM_LIBVIRT_URI_B are not both set: no two"
            + " libvirt daemons to migrate between (bin/test starts them as root)");
    source = new Connect(sourceUri);
    destination = new Connect(destinationUri);
    remove(source);
    remove(destination);
    Path disk = dir.resolve("disk.qcow2");
    run("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M");
    source.domainDefineXML(domainXml(disk)).create();

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
        .until(() -> source.domainLookupByName(VM).getJobInfo().getDataProcessed() > 0);
    agent.kill();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> state(source).equals("running") && state(destination).equals("absent"));

    agent = AgentProcess.start(settings, log);
    CommandView done = backend.awaitCommand(queued.id(), Duration.ofSeconds(60));
    assertThat(done.state()).isEqualTo(CommandState.FAILED);
    assertThat(done.result().error().message()).contains("not run again");
    assertThat(state(source)).isEqualTo("running");
    assertThat(state(destination)).isEqualTo("absent");
    Matcher started =
        Pattern.compile("command " + queued.id() + " \\(migrate[^\\n]*\\) started")
            .matcher(agent.log());
    assertThat(started.results().count()).as("the migration started once").isEqualTo(1);
  }

  /** {@code running}, {@code paused}, {@code shut off} or {@code absent}. */
  private static String state(Connect connect) throws LibvirtException {
    if (List.of(connect.listDefinedDomains()).contains(VM)) {
      return "shut off";
    }
    for (int id : connect.listDomains()) {
      Domain domain = connect.domainLookupByID(id);
      if (domain.getName().equals(VM)) {
        return domain.getInfo().state == DomainInfo.DomainState.VIR_DOMAIN_RUNNING
            ? "running"
            : "paused";
      }
    }
    return "absent";
  }

  private static void remove(Connect connect) throws LibvirtException {
    String state = state(connect);
    if (state.equals("absent")) {
      return;
    }
    Domain domain = connect.domainLookupByName(VM);
    if (domain.isActive() == 1) {
      domain.destroy();
    }
    if (domain.isPersistent() == 1) {
      domain.undefine();
    }
  }

  private static String domainXml(Path disk) {
    return "<domain type='qemu'><name>"
        + VM
        + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
        + "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>"
        + "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
        + "<source file='"
        + disk
        + "'/><target dev='vda' bus='virtio'/></disk></devices></domain>";
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }
}
