package io.vmagent.agent.loop;

import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.util.AgentVersion;
import io.vmagent.protocol.HypervisorFacts;
import io.vmagent.protocol.RegisterRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.libvirt.NodeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the agent says about itself when it registers: id, name, host, versions, capabilities. */
public final class AgentIdentity implements Supplier<RegisterRequest> {
  private static final Logger log = LoggerFactory.getLogger(AgentIdentity.class);

  private final AgentConfig config;
  private final LibvirtConnectionManager libvirt;
  private final Supplier<Set<String>> capabilities;

  public AgentIdentity(
      AgentConfig config, LibvirtConnectionManager libvirt, Supplier<Set<String>> capabilities) {
    this.config = config;
    this.libvirt = libvirt;
    this.capabilities = capabilities;
  }

  @Override
  public RegisterRequest get() {
    return new RegisterRequest(
        config.agentId().orElseThrow(),
        config.agentName(),
        hostname(),
        AgentVersion.current(),
        config.libvirtUri(),
        hypervisorFacts(),
        List.copyOf(capabilities.get()),
        (int) config.heartbeatInterval().toSeconds());
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
