package io.vmagent.agent.cli;

import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.config.ConfigException;
import io.vmagent.agent.config.ConfigKey;
import io.vmagent.agent.config.ConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The configuration options every command shares; they override environment and env file. */
public final class ConfigOptions {
  @Option(
      names = "--config-file",
      paramLabel = "FILE",
      description =
          "Environment file to read (AGENT_CONFIG_FILE, default /etc/vm-agent/agent.env).")
  Path configFile;

  @Option(
      names = "--backend-url",
      paramLabel = "URL",
      description = "Backend URL (AGENT_BACKEND_URL).")
  String backendUrl;

  @Option(
      names = "--libvirt-uri",
      paramLabel = "URI",
      description = "libvirt connection URI (AGENT_LIBVIRT_URI, default qemu:///system).")
  String libvirtUri;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "State directory (AGENT_STATE_DIR, default /var/lib/vm-agent).")
  Path stateDir;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      description = "DEBUG, INFO, WARNING, ERROR or CRITICAL (AGENT_LOG_LEVEL).")
  String logLevel;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Any configuration key, e.g. --set AGENT_HEARTBEAT_INTERVAL=10. Repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  /** The values given on the command line, by key name. */
  public Map<String, String> commandLineValues() {
    Map<String, String> values = new LinkedHashMap<>(overrides);
    putIfGiven(
        values, ConfigKey.AGENT_CONFIG_FILE, configFile == null ? null : configFile.toString());
    putIfGiven(values, ConfigKey.AGENT_BACKEND_URL, backendUrl);
    putIfGiven(values, ConfigKey.AGENT_LIBVIRT_URI, libvirtUri);
    putIfGiven(values, ConfigKey.AGENT_STATE_DIR, stateDir == null ? null : stateDir.toString());
    putIfGiven(values, ConfigKey.AGENT_LOG_LEVEL, logLevel);
    return values;
  }

  private static void putIfGiven(Map<String, String> values, ConfigKey key, String value) {
    if (value != null) {
      values.put(key.name(), value);
    }
  }

  /** A loader over these options and the process environment. */
  public ConfigLoader loader() {
    return new ConfigLoader(commandLineValues(), System.getenv());
  }

  /** Loads the configuration for a local command, which needs no backend. */
  public AgentConfig loadLocal() throws ConfigException {
    return loader().requireBackend(false).load();
  }
}
