package io.vmagent.e2e;

import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.config.ConfigLoader;
import io.vmagent.agent.libvirt.VmLifecycleEvent;
import io.vmagent.agent.loop.EventForwarder;
import io.vmagent.agent.loop.EventSequence;
import io.vmagent.agent.spool.DurableQueue;
import io.vmagent.agent.spool.Spool;
import io.vmagent.agent.state.StateDir;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.VmBackend;
import io.vmagent.backend.config.ClientAuth;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Shared set-up of the end-to-end tests: the real backend, agent settings, the libvirt host. */
final class E2e {
  private E2e() {}

  /** A started backend on a free port of 127.0.0.1 with short leases and token lifetimes. */
  static RunningBackend backend(
      Path dataDir, ClientAuth clientAuth, int port, UnaryOperator<VmBackend.Builder> tweak)
      throws Exception {
    VmBackend.Builder builder =
        VmBackend.builder()
            .dataDir(dataDir)
            .listen("127.0.0.1", port)
            .clientAuth(clientAuth)
            .leaseDuration(Duration.ofSeconds(5))
            .defaultHeartbeatInterval(Duration.ofSeconds(5));
    return tweak.apply(builder).build().start();
  }

  /** A private copy of the test host (three VMs) as a libvirt test-driver URI. */
  static String libvirtHost(Path dir) throws IOException {
    Path node = dir.resolve("node.xml");
    try (InputStream in = E2e.class.getResourceAsStream("/node.xml")) {
      Files.copy(in, node, StandardCopyOption.REPLACE_EXISTING);
    }
    return "test://" + node.toAbsolutePath();
  }

  /** The name of the VM {@link #libvirtHostWithStubbornVm} adds. */
  static final String STUBBORN = "stubborn-01";

  /**
   * The test host plus {@link #STUBBORN}, a running VM whose guest never shuts down: the test
   * driver restarts it on an ACPI shutdown ({@code on_poweroff} restart), so a graceful stop waits
   * out its whole timeout, as for a guest that ignores ACPI.
   */
  static String libvirtHostWithStubbornVm(Path dir) throws IOException {
    String uri = libvirtHost(dir);
    Path node = dir.resolve("node.xml");
    String stubborn =
        "  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
            + "    <name>"
            + STUBBORN
            + "</name>\n"
            + "    <uuid>6695eb01-f6a4-8304-79aa-97f2502e1004</uuid>\n"
            + "    <memory>524288</memory><vcpu>1</vcpu>\n"
            + "    <os><type arch='x86_64'>hvm</type></os>\n"
            + "    <on_poweroff>restart</on_poweroff>\n"
            + "    <test:runstate>1</test:runstate>\n"
            + "  </domain>\n";
    Files.writeString(node, Files.readString(node).replace("</node>", stubborn + "</node>"));
    return uri;
  }

  /**
   * Queues a graceful stop of {@link #STUBBORN} waiting up to {@code timeoutSeconds} for its guest,
   * and waits until an agent leased it; returns the command's id.
   */
  static String leasedStopOfStubborn(RunningBackend backend, String agentId, int timeoutSeconds)
      throws Exception {
    String id =
        backend
            .queueCommand(
                agentId,
                "stop",
                Map.of("vm", STUBBORN, "timeout_seconds", String.valueOf(timeoutSeconds)))
            .id();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                backend.operator().command(id, 0).state()
                    == io.vmagent.protocol.CommandState.LEASED);
    return id;
  }

  /**
   * Settings of an agent in {@code dir/agent} with a new bootstrap token and its own copy of the
   * test host (in {@code dir}), pointing at {@code backend}.
   */
  static Map<String, String> agentSettings(RunningBackend backend, Path dir) throws IOException {
    return agentSettings(
        backend, dir.resolve("agent"), backend.createBootstrapToken(false, null), libvirtHost(dir));
  }

  /** Agent settings with short intervals, pointing at {@code backend}. */
  static Map<String, String> agentSettings(
      RunningBackend backend, Path dir, String token, String libvirtUri) throws IOException {
    Files.createDirectories(dir);
    Path envFile = dir.resolve("agent.env");
    if (!Files.exists(envFile)) {
      Files.createFile(envFile);
    }
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("AGENT_CONFIG_FILE", envFile.toString());
    settings.put("AGENT_BACKEND_URL", backend.baseUrl().toString());
    settings.put("AGENT_SSL_CA_PATH", backend.caCertificatePath().toString());
    settings.put("AGENT_TOKEN", token);
    settings.put("AGENT_LIBVIRT_URI", libvirtUri);
    settings.put("AGENT_STATE_DIR", dir.resolve("state").toString());
    settings.put("AGENT_NAME", "e2e-agent");
    settings.put("AGENT_HEARTBEAT_INTERVAL", "5");
    settings.put("AGENT_METRICS_INTERVAL", "5");
    settings.put("AGENT_API_TIMEOUT", "10");
    settings.put("AGENT_RETRY_ATTEMPTS", "2");
    settings.put("AGENT_SHUTDOWN_TIMEOUT", "5");
    settings.put("AGENT_UPDATE_CHECK_INTERVAL", "60");
    settings.put("AGENT_LIBVIRT_TIMEOUT", "10");
    // The machine running the tests is often busy with other builds: a load check would make the
    // agent degraded for reasons that are not the tests'.
    settings.put("AGENT_HEALTH_LOAD_PER_CORE", "0");
    return settings;
  }

  /**
   * Spools lifecycle events for the agent that starts next on {@code agentDir}, as its forwarder
   * does when libvirt reports them (libvirt's test driver reports no reboot, so a test hands the
   * event over as the connection manager's reboot callback makes it).
   */
  static void spoolEvents(Path agentDir, VmLifecycleEvent... events) throws IOException {
    StateDir state = StateDir.restricted(agentDir.resolve("state"));
    DurableQueue queue = new DurableQueue("events", state.directory("spool/events"), 4 << 20, 0);
    try (Spool spool = new Spool(queue, 500, Duration.ZERO, records -> {}, reached -> {})) {
      EventForwarder forwarder = new EventForwarder(new EventSequence(state.root()), spool);
      for (VmLifecycleEvent event : events) {
        forwarder.onEvent(event);
      }
    }
  }

  /** Lifecycle events still waiting in the events spool of a stopped agent. */
  static int spooledEvents(Path agentDir) throws IOException {
    StateDir state = StateDir.restricted(agentDir.resolve("state"));
    try (DurableQueue queue =
        new DurableQueue("events", state.directory("spool/events"), 4 << 20, 0)) {
      return queue.depth();
    }
  }

  /**
   * Settings for an agent process under {@code root} (state in {@code root/agent}) whose wall clock
   * is {@code clock}'s.
   */
  static Map<String, String> agentSettingsOn(
      io.vmagent.testing.FakeTime clock, RunningBackend backend, Path root) throws IOException {
    Map<String, String> settings =
        agentSettings(
            backend,
            root.resolve("agent"),
            backend.createBootstrapToken(false, null),
            libvirtHost(root));
    settings.putAll(clock.environment());
    return settings;
  }

  /** Waits for the agent under {@code root} to keep its generated id, and returns it. */
  static String awaitAgentId(Path root) throws IOException {
    Path idFile = root.resolve("agent/state/agent-id");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.exists(idFile));
    return agentId(root.resolve("agent"));
  }

  /** The configuration the daemon would load from these settings. */
  static AgentConfig config(Map<String, String> settings) throws Exception {
    return new ConfigLoader(settings, Map.of()).persistAgentId(true).load();
  }

  /** Stops a backend, if the test got as far as starting one. */
  static void close(RunningBackend backend) throws Exception {
    if (backend == null) {
      return;
    }
    backend.close();
  }

  /** How many agents the backend has registered (read from its database). */
  static long registeredAgents(RunningBackend backend) throws java.sql.SQLException {
    try (java.sql.Connection c = backend.dataSource().getConnection();
        java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM agents")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Whether the backend has received a heartbeat from this agent (read from its database). */
  static boolean heartbeatSeen(RunningBackend backend, String agentId)
      throws java.sql.SQLException {
    try (java.sql.Connection c = backend.dataSource().getConnection();
        java.sql.PreparedStatement q =
            c.prepareStatement("SELECT last_heartbeat_at FROM agents WHERE agent_id = ?")) {
      q.setString(1, agentId);
      try (java.sql.ResultSet rs = q.executeQuery()) {
        return rs.next() && rs.getTimestamp(1) != null;
      }
    }
  }

  /** The agent id the agent generated and kept in its state directory. */
  static String agentId(Path dir) throws IOException {
    return Files.readString(dir.resolve("state").resolve("agent-id")).strip();
  }

  /** Waits until the agent's heartbeat, sent from now on, shows it online; returns its id. */
  static String awaitFreshHeartbeat(RunningBackend backend, String agentId) {
    java.time.Instant since = java.time.Instant.now().minusSeconds(1);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(45))
        .until(
            () -> {
              try {
                io.vmagent.protocol.AgentStatus status = backend.operator().showAgent(agentId);
                return status.connectivity() == io.vmagent.protocol.Connectivity.ONLINE
                    && status.lastHeartbeatAt() != null
                    && status.lastHeartbeatAt().isAfter(since);
              } catch (Exception notYet) {
                return false;
              }
            });
    return agentId;
  }
}
