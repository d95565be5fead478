package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.cli.Main;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.MigrateRequest;
import io.vmagent.protocol.MigrationView;
import io.vmagent.testing.AgentProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migrations orchestrated by the backend between two real agent processes, each on its own private
 * libvirt daemon ({@code VMAGENT_SYSTEM_LIBVIRT_URI}, {@code VMAGENT_SYSTEM_LIBVIRT_URI_B}): the
 * backend reads the VM on the source, has the destination check it, has the source migrate it and
 * records the holder from both agents' reports, also when the backend itself is stopped and started
 * again in the middle of the migration; and {@code vm-backend agents drain}, three small running
 * VMs moving off the first host one after the other, each move reported. Skipped without the two
 * daemons.
 */
class BackendMigrationFaultTest {
  private static final String VM = "vmagent-test-backend-migration";
  private static final List<String> DRAINED =
      List.of("vmagent-test-drain-1", "vmagent-test-drain-2", "vmagent-test-drain-3");

  @TempDir Path dir;
  RunningBackend backend;
  AgentProcess sourceAgent;
  AgentProcess destinationAgent;
  TwoHypervisors hosts;
  LibvirtRelay relay;
  LibvirtRelay destinationRelay;
  final Map<String, Map<String, String>> settings = new HashMap<>();

  @AfterEach
  void stop() throws Exception {
    for (AgentProcess agent : new AgentProcess[] {sourceAgent, destinationAgent}) {
      if (agent != null) {
        agent.close();
      }
    }
    Harness.stop(backend);
    for (LibvirtRelay r : new LibvirtRelay[] {relay, destinationRelay}) {
      if (r != null) {
        r.close();
      }
    }
    if (hosts != null) {
      hosts.close();
    }
  }

  @Test
  void aRunningVmMovesThroughTheBackendWhichRestartsMidway() throws Exception {
    hosts = TwoHypervisors.open(VM);
    hosts.startVmOnSource(dir.resolve("disk.qcow2"));
    String sourceUri = hosts.sourceUri;
    String destinationUri = hosts.destinationUri;

    int port = Harness.freePort();
    backend = Harness.backend(dir.resolve("backend"), port, b -> b);
    String token = backend.createBootstrapToken(false, null);
    sourceAgent = agent("source", sourceUri, token, Map.of());
    destinationAgent = destination(destinationUri, token);
    String sourceId = Harness.agentId(dir.resolve("source"));
    String destinationId = Harness.agentId(dir.resolve("destination"));

    // 2 MiB/s keeps the memory transfer going for a few seconds: the restart lands inside it.
    MigrationView begun =
        backend
            .operator()
            .beginMigration(
                new MigrateRequest(
                    VM, sourceId, destinationId, Map.of("unsafe", "true", "bandwidth_mib", "2")));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> hosts.dataMoving());
    backend.close();
    backend = Harness.backend(dir.resolve("backend"), port, b -> b);

    MigrationView done = backend.awaitMigration(begun.migrationId(), Duration.ofMinutes(2));
    assertThat(done.state()).as(done.message()).isEqualTo("succeeded");
    assertThat(done.holder()).isEqualTo(destinationId);
    assertThat(done.message())
        .contains("the migration succeeded")
        .contains("source: no such VM, destination: running");
    assertThat(hosts.state(hosts.destination)).isEqualTo("running");
    assertThat(hosts.state(hosts.source)).isEqualTo("absent");
    // The backend's own view follows from the agents' reports: the VM listed once, running on the
    // destination, and each host's lifecycle event of the move stored under its agent.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                backend.operator().listVms(destinationId).stream()
                        .anyMatch(vm -> vm.name().equals(VM) && "running".equals(vm.state()))
                    && backend.operator().listVms(sourceId).stream()
                        .noneMatch(vm -> vm.name().equals(VM)));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                moveEvents(sourceId).contains("stopped/migrated")
                    && moveEvents(destinationId).stream().anyMatch(e -> e.endsWith("/migrated")));
    assertThat(moveEvents(destinationId)).doesNotContain("stopped/migrated");
    Figures.record(
        "migration through the backend",
        "64 MiB TCG guest at 2 MiB/s, backend restarted mid-transfer: "
            + Duration.between(done.createdAt(), done.updatedAt()).toMillis()
            + " ms from the operator's request to the recorded holder");
  }

  @Test
  void refusedAndTimedOutMigrationsLeaveTheVmOnTheSourceAndAShutOffVmMovesOffline()
      throws Exception {
    hosts = TwoHypervisors.open(VM);
    hosts.startVmOnSource(dir.resolve("disk.qcow2"));
    // The source's agent reaches the destination's daemon through a relay that can stop answering.
    destinationRelay = LibvirtRelay.before(hosts.destinationUri, dir.resolve("destination.sock"));
    backend = Harness.backend(dir.resolve("backend"), Harness.freePort(), b -> b);
    String token = backend.createBootstrapToken(false, null);
    sourceAgent = agent("source", hosts.sourceUri, token, Map.of());
    destinationAgent = destination(destinationRelay.uri(), token);
    String sourceId = Harness.agentId(dir.resolve("source"));
    String destinationId = Harness.agentId(dir.resolve("destination"));

    // 1. The destination's checks refuse: a VM of that name is defined there already.
    hosts
        .destination
        .domainDefineXML(
            "<domain type='qemu'><name>"
                + VM
                + "</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>")
        .getName();
    MigrationView refused =
        migrate(sourceId, destinationId, Map.of("unsafe", "true"), Duration.ofMinutes(1));
    assertThat(refused.state()).as(refused.message()).isEqualTo("failed");
    assertThat(refused.holder()).isEqualTo(sourceId);
    assertThat(refused.message()).contains("the destination refused the VM");
    assertThat(hosts.state(hosts.source)).isEqualTo("running");
    hosts.destination.domainLookupByName(VM).undefine();

    // 2. The destination's daemon stops answering: aborted at the 3 s deadline, still on the
    // source.
    destinationRelay.onCall(p -> true, BackendMigrationFaultTest::hang);
    MigrationView late =
        migrate(
            sourceId,
            destinationId,
            Map.of("unsafe", "true", "deadline_seconds", "3"),
            Duration.ofMinutes(1));
    destinationRelay.onCall(p -> false, () -> {});
    assertThat(late.state()).as(late.message()).isEqualTo("failed");
    assertThat(late.holder()).isEqualTo(sourceId);
    assertThat(late.message()).contains("TIMEOUT").contains("the VM stays on the source");
    assertThat(hosts.state(hosts.source)).isEqualTo("running");
    assertThat(hosts.state(hosts.destination)).isEqualTo("absent");

    // 3. Shut off, it moves offline: its definition goes to the destination.
    hosts.source.domainLookupByName(VM).destroy();
    MigrationView offline =
        migrate(sourceId, destinationId, Map.of("unsafe", "true"), Duration.ofMinutes(1));
    assertThat(offline.state()).as(offline.message()).isEqualTo("succeeded");
    assertThat(offline.holder()).isEqualTo(destinationId);
    assertThat(hosts.state(hosts.destination)).isEqualTo("shut off");
    assertThat(hosts.state(hosts.source)).isEqualTo("absent");
  }

  /** The destination's agent, on the second daemon, taking migrations at {@code migrationUri}. */
  private AgentProcess destination(String migrationUri, String token) throws Exception {
    return agent(
        "destination",
        hosts.destinationUri,
        token,
        Map.of(
            "AGENT_MIGRATION_URI",
            migrationUri,
            "AGENT_MIGRATION_STREAM_URI",
            "unix://" + dir.resolve("stream.sock")));
  }

  /** Holds a relayed call unanswered, as a daemon that stopped responding would. */
  private static void hang() {
    try {
      Thread.sleep(120_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private MigrationView migrate(
      String source, String destination, Map<String, String> options, Duration timeout)
      throws Exception {
    MigrationView begun =
        backend.operator().beginMigration(new MigrateRequest(VM, source, destination, options));
    return backend.awaitMigration(begun.migrationId(), timeout);
  }

  @Test
  void aPausedCopyLeftBySourceAgentKilledBeforeConfirmIsRemoved() throws Exception {
    hosts = TwoHypervisors.open(VM);
    hosts.startVmOnSource(dir.resolve("disk.qcow2"));
    relay = LibvirtRelay.before(hosts.sourceUri, dir.resolve("relay.sock"));
    backend = Harness.backend(dir.resolve("backend"), Harness.freePort(), b -> b);
    String token = backend.createBootstrapToken(false, null);
    sourceAgent = agent("source", relay.uri(), token, Map.of());
    destinationAgent = destination(hosts.destinationUri, token);
    String sourceId = Harness.agentId(dir.resolve("source"));
    String destinationId = Harness.agentId(dir.resolve("destination"));
    // The source's agent dies as it asks its daemon to confirm: the destination has finished (the
    // VM runs there) and the source, never told, keeps its copy paused.
    AtomicBoolean killed = new AtomicBoolean();
    AgentProcess dying = sourceAgent;
    relay.onCall(
        p -> p == LibvirtRelay.MIGRATE_CONFIRM3_PARAMS || p == LibvirtRelay.MIGRATE_CONFIRM3,
        () -> {
          dying.kill();
          killed.set(true);
        });

    MigrationView begun =
        backend
            .operator()
            .beginMigration(
                new MigrateRequest(VM, sourceId, destinationId, Map.of("unsafe", "true")));
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> killed.get() || backend.operator().migration(begun.migrationId()).finished());
    assertThat(killed).as("calls seen on the source: %s", relay.calls()).isTrue();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                hosts.state(hosts.source).equals("paused")
                    && hosts.state(hosts.destination).equals("running"));

    relay.onCall(p -> false, () -> {});
    sourceAgent = AgentProcess.start(settings.get("source"), dir.resolve("source.log"));
    MigrationView done = backend.awaitMigration(begun.migrationId(), Duration.ofMinutes(2));

    assertThat(done.state()).as(done.message()).isEqualTo("succeeded");
    assertThat(done.holder()).isEqualTo(destinationId);
    assertThat(done.message()).contains("the paused copy it left was destroyed and undefined");
    assertThat(hosts.state(hosts.destination)).isEqualTo("running");
    assertThat(hosts.state(hosts.source)).isEqualTo("absent");
    assertThat(Files.exists(dir.resolve("disk.qcow2"))).as("the disk is kept").isTrue();
    assertThat(
            backend
                .operator()
                .listCommands(Map.of("agent_id", sourceId, "operation", "delete"))
                .commands())
        .singleElement()
        .satisfies(c -> assertThat(c.state()).isEqualTo(CommandState.SUCCEEDED));
  }

  @Test
  void threeRunningVmsMoveOffADrainedHost() throws Exception {
    hosts = TwoHypervisors.open(DRAINED.toArray(String[]::new));
    for (String vm : DRAINED) {
      hosts.startDisklessOnSource(vm);
    }
    backend = Harness.backend(dir.resolve("backend"), Harness.freePort(), b -> b);
    String token = backend.createBootstrapToken(false, null);
    sourceAgent = agent("source", hosts.sourceUri, token, Map.of());
    destinationAgent = destination(hosts.destinationUri, token);
    String sourceId = Harness.agentId(dir.resolve("source"));
    String destinationId = Harness.agentId(dir.resolve("destination"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                backend.operator().listVms(sourceId).stream()
                        .filter(vm -> "running".equals(vm.state()))
                        .count()
                    == DRAINED.size());

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    long started = System.nanoTime();
    int exit =
        Main.run(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "agents",
            "drain",
            sourceId,
            "--to",
            destinationId,
            "--wait",
            "--timeout",
            "5m",
            "--data-dir",
            dir.resolve("backend").toString());
    long millis = (System.nanoTime() - started) / 1_000_000;

    assertThat(exit).as(out + "\n" + err).isZero();
    for (String vm : DRAINED) {
      assertThat(out.toString())
          .containsPattern("VM " + vm + " succeeded \\(to " + destinationId + "\\) migration ");
      assertThat(hosts.state(hosts.destination, vm)).isEqualTo("running");
      assertThat(hosts.state(hosts.source, vm)).isEqualTo("absent");
    }
    assertThat(out.toString()).contains("3 of 3 VM(s) moved");
    assertThat(hosts.source.listDomains()).isEmpty();
    assertThat(hosts.source.listDefinedDomains()).isEmpty();
    // The host is empty and the drain stays on until it is ended.
    assertThat(backend.operator().drain(sourceId).done()).isTrue();
    assertThat(backend.operator().endDrain(sourceId).moves()).hasSize(3);
    Figures.record(
        "drain through the backend",
        "three 32 MiB diskless TCG guests, one at a time: "
            + millis
            + " ms from 'agents drain --wait' to the last recorded holder");
  }

  /** The VM's events the backend stored for one agent, as {@code type/detail}. */
  private List<String> moveEvents(String agentId) throws Exception {
    return backend.operator().listEvents(Map.of("agent_id", agentId, "vm", VM)).events().stream()
        .map(e -> e.eventType() + "/" + e.detail())
        .toList();
  }

  private AgentProcess agent(String name, String uri, String token, Map<String, String> extra)
      throws Exception {
    Map<String, String> settings =
        Harness.agentSettings(
            backend.baseUrl(), backend.caCertificatePath(), dir.resolve(name), name, token, uri);
    settings.putAll(extra);
    this.settings.put(name, settings);
    AgentProcess agent = AgentProcess.start(settings, dir.resolve(name + ".log"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.exists(dir.resolve(name + "/state/agent-id")));
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.log().contains("heartbeat sent"));
    return agent;
  }
}
