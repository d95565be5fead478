package io.vmagent.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.config.ConfigLoader;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.VmBackend;
import io.vmagent.testing.AgentProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Shared set-up of the fault scenarios: the real backend and agent settings with short intervals.
 */
final class Harness {
  private Harness() {}

  /** A free loopback port (for a backend that must come back on the same address). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** A started backend on 127.0.0.1:{@code port} keeping its database in {@code dataDir}. */
  static RunningBackend backend(Path dataDir, int port, UnaryOperator<VmBackend.Builder> tweak)
      throws Exception {
    VmBackend.Builder builder =
        VmBackend.builder()
            .dataDir(dataDir)
            .listen("127.0.0.1", port)
            .leaseDuration(Duration.ofSeconds(10))
            .defaultHeartbeatInterval(Duration.ofSeconds(5))
            .pollRecheckInterval(Duration.ofMillis(500));
    return tweak.apply(builder).build().start();
  }

  /** Agent settings with short intervals, reaching the backend at {@code url}. */
  static Map<String, String> agentSettings(
      URI url, Path caPem, Path dir, String name, String token, String libvirtUri)
      throws IOException {
    Files.createDirectories(dir);
    Path envFile = dir.resolve("agent.env");
    if (!Files.exists(envFile)) {
      Files.createFile(envFile);
    }
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("AGENT_CONFIG_FILE", envFile.toString());
    settings.put("AGENT_BACKEND_URL", url.toString());
    settings.put("AGENT_SSL_CA_PATH", caPem.toString());
    settings.put("AGENT_TOKEN", token);
    settings.put("AGENT_LIBVIRT_URI", libvirtUri);
    settings.put("AGENT_STATE_DIR", dir.resolve("state").toString());
    settings.put("AGENT_NAME", name);
    settings.put("AGENT_HEARTBEAT_INTERVAL", "5");
    settings.put("AGENT_METRICS_INTERVAL", "5");
    settings.put("AGENT_API_TIMEOUT", "3");
    settings.put("AGENT_RETRY_ATTEMPTS", "3");
    settings.put("AGENT_SHUTDOWN_TIMEOUT", "3");
    settings.put("AGENT_UPDATE_CHECK_INTERVAL", "3600");
    settings.put("AGENT_LIBVIRT_TIMEOUT", "10");
    settings.put("AGENT_METRICS_SPOOL_MAX_MB", "1");
    return settings;
  }

  static URI localUrl(int port) {
    return URI.create("https://127.0.0.1:" + port);
  }

  /** The configuration the daemon would load from these settings. */
  static AgentConfig config(Map<String, String> settings) throws Exception {
    return new ConfigLoader(settings, Map.of()).persistAgentId(true).load();
  }

  /**
   * The URI of the real libvirt daemon bin/test starts as root ({@code
   * VMAGENT_SYSTEM_LIBVIRT_URI}); skips the calling test when it is not set.
   */
  static String realLibvirtUri() {
    String uri = System.getenv("VMAGENT_SYSTEM_LIBVIRT_URI");
    assumeTrue(
        uri != null && !uri.isBlank(),
        "VMAGENT_SYSTEM_LIBVIRT_URI is not set: no real libvirt daemon (bin/test starts one as"
            + " root)");
    return uri;
  }

  /**
   * Waits until the agent process keeping its state under {@code dir} has registered and sent a
   * heartbeat; returns its id.
   */
  static String awaitRunning(AgentProcess agent, Path dir) throws IOException {
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(dir.resolve("state/agent-id")));
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.log().contains("heartbeat sent"));
    return agentId(dir);
  }

  /** The agent id kept in the agent's state directory. */
  static String agentId(Path dir) throws IOException {
    return Files.readString(dir.resolve("state").resolve("agent-id")).strip();
  }

  /** Stops a backend, if the scenario got as far as starting one. */
  static void stop(RunningBackend backend) throws Exception {
    if (backend == null) {
      return;
    }
    backend.close();
  }

  /** Deletes a directory tree a property class made for itself (JUnit's @TempDir is not there). */
  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Total size of the files under {@code dir}. */
  static long bytesUnder(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
