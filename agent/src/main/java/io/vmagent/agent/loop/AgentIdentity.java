package io.vmagent.agent.loop;

import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.util.AgentVersion;
import io.vmagent.protocol.HypervisorFacts;
import io.vmagent.protocol.MigrationEndpoint;
import io.vmagent.protocol.OperationCapability;
import io.vmagent.protocol.RegisterRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.libvirt.NodeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the agent says about itself when it registers: id, name, host, versions, capabilities. */
public final class AgentIdentity implements Supplier<RegisterRequest> {
  private static final Logger log = LoggerFactory.getLogger(AgentIdentity.class);

  private final AgentConfig config;
  private final LibvirtConnectionManager libvirt;
  private final Supplier<Map<String, Integer>> operations;

  /**
   * @param operations each operation's name and parameter-set version ({@link
   *     io.vmagent.agent.operation.OperationRegistry#versions()})
   */
  public AgentIdentity(
      AgentConfig config,
      LibvirtConnectionManager libvirt,
      Supplier<Map<String, Integer>> operations) {
    this.config = config;
    this.libvirt = libvirt;
    this.operations = operations;
  }

  /** The operations with their versions, as protocol 3 advertises them. */
  public static List<OperationCapability> versioned(Map<String, Integer> operations) {
    return operations.entrySet().stream()
        .map(e -> new OperationCapability(e.getKey(), e.getValue()))
        .toList();
  }

  /**
   * The registration with both forms of the capabilities: the names, which every backend takes, and
   * the versioned operations, which the session sends only to a backend of protocol 3; and the
   * migration endpoint ({@code AGENT_MIGRATION_URI}), sent only to a backend of protocol 4.
   */
  @Override
  public RegisterRequest get() {
    Map<String, Integer> ops = operations.get();
    return new RegisterRequest(
            config.agentId().orElseThrow(),
            config.agentName(),
            hostname(),
            AgentVersion.current(),
            config.libvirtUri(),
            hypervisorFacts(),
            List.copyOf(ops.keySet()),
            (int) config.heartbeatInterval().toSeconds())
        .withOperations(versioned(ops))
        .withMigration(
            config
                .migrationUri()
                .map(uri -> new MigrationEndpoint(uri, config.migrationStreamUri().orElse(null)))
                .orElse(null));
  }

  private HypervisorFacts hypervisorFacts() {
    try {
      return libvirt.withConnection(
          "hypervisor facts",
          Duration.ofSeconds(5),
          connect -> {
            NodeInfo node = connect.nodeInfo();
            return new HypervisorFacts(
                connect.getType(),
                version(connect.getVersion()),
                version(connect.getLibVersion()),
                node.model,
                node.cpus,
                node.memory * 1024,
                System.getProperty("os.arch"));
          });
    } catch (RuntimeException e) {
      log.warn("registering without hypervisor facts: {}", e.getMessage());
      return null;
    }
  }

  /** libvirt's packed version number (major * 1,000,000 + minor * 1,000 + release) as text. */
  static String version(long packed) {
    return packed / 1_000_000 + "." + packed / 1_000 % 1_000 + "." + packed % 1_000;
  }

  /** This host's name, for registration and {@code agent_info}. */
  public static String hostname() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name.isBlank() ? "localhost" : name;
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "localhost" : env;
    }
  }
}
