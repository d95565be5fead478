package io.vmagent.e2e;

import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.config.ConfigLoader;
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
  static RunningBackend backend(Path dataDir, ClientAuth clientAuth, int port, UnaryOperator<VmBackend.Builder> tweak)
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

  /** Agent settings with short intervals, pointing at {@code backend}. */
  static Map<String, String> agentSettings(RunningBackend backend, Path dir, String token, String libvirtUri)
      throws IOException {
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
    settings.put("AGENT_API_TIMEOUT", "3");
    settings.put("AGENT_RETRY_ATTEMPTS", "2");
    settings.put("AGENT_SHUTDOWN_TIMEOUT", "5");
    settings.put("AGENT_UPDATE_CHECK_INTERVAL", "60");
    settings.put("AGENT_LIBVIRT_TIMEOUT", "10");
    return settings;
  }

  /** The configuration the daemon would load from these settings. */
  static AgentConfig config(Map<String, String> settings) throws Exception {
    return new ConfigLoader(settings, Map.of()).persistAgentId(true).load();
  }

  /** The agent id the agent generated and kept in its state directory. */
  static String agentId(Path dir) throws IOException {
    return Files.readString(dir.resolve("state").resolve("agent-id")).strip();
  }
}
