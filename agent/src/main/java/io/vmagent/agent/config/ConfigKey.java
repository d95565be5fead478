package io.vmagent.agent.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every configuration key the agent understands, with its default and whether its value is a
 * secret; the names and defaults of the original agent's keys are kept as they were.
 */
public enum ConfigKey {
  AGENT_BACKEND_URL(null, false, "URL of the backend, https://host[:port]"),
  AGENT_LIBVIRT_URI("qemu:///system", false, "libvirt connection URI"),
  AGENT_ID(null, false, "agent identifier; generated once and kept in the state directory"),
  // No fixed default: the host's name (HostName), read only when the key is not set.
  AGENT_NAME(null, false, "human-readable agent name; default the host name"),
  AGENT_TOKEN(null, true, "bootstrap token used to register with the backend"),
  AGENT_SSL_VERIFY("true", false, "verify the backend's TLS certificate"),
  AGENT_SSL_CERT_PATH(null, false, "client certificate (PEM) for mutual TLS"),
  AGENT_SSL_KEY_PATH(null, false, "client private key (PEM) for mutual TLS"),
  AGENT_SSL_CA_PATH(
      null, false, "CA bundle (PEM): when set, the only CAs trusted; unset, the system store"),
  AGENT_METRICS_INTERVAL("60", false, "seconds between metrics reports"),
  AGENT_HEARTBEAT_INTERVAL("30", false, "seconds between heartbeats"),
  AGENT_API_TIMEOUT("30", false, "seconds before a backend request times out"),
  AGENT_RETRY_ATTEMPTS("3", false, "attempts per backend request"),
  AGENT_RETRY_BACKOFF("2.0", false, "multiplier of the exponential backoff between attempts"),
  AGENT_LOG_LEVEL("INFO", false, "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
  AGENT_LOG_FILE(null, false, "log file (rotated); standard output only when empty"),
  AGENT_LOG_FORMAT("text", false, "text or json"),
  AGENT_AUTO_REGISTER("true", false, "register with AGENT_TOKEN when no credentials are kept"),
  AGENT_UPDATE_CHECK_INTERVAL("3600", false, "seconds between checks for a newer agent version"),
  AGENT_STATE_DIR(
      "/var/lib/vm-agent", false, "directory for credentials, agent id, journal, spool"),
  AGENT_CONFIG_FILE("/etc/vm-agent/agent.env", false, "environment file read at start"),
  AGENT_ALLOW_INSECURE_HTTP("false", false, "allow a plain http:// backend URL (testing only)"),
  AGENT_STOP_TIMEOUT("60", false, "seconds a graceful VM stop waits for the guest"),
  AGENT_LIBVIRT_TIMEOUT("30", false, "seconds before a single libvirt call is abandoned"),
  AGENT_SHUTDOWN_TIMEOUT("20", false, "seconds running commands get to finish at agent shutdown"),
  AGENT_METRICS_SPOOL_MAX_MB("64", false, "disk space kept for metrics while the backend is away"),
  AGENT_CLOCK_OFFSET_MAX(
      "30",
      false,
      "seconds the host's clock may be off the backend's before the agent is degraded"),
  AGENT_PROMETHEUS_LISTEN("", false, "host:port of the Prometheus endpoint; empty means off"),
  AGENT_HEALTH_DISK_FREE_PERCENT(
      "5", false, "least free space (%) on the state directory's and pools' file systems"),
  AGENT_HEALTH_INODES_FREE_PERCENT(
      "5", false, "least free inodes (%) on the state directory's and pools' file systems"),
  AGENT_HEALTH_MEMORY_AVAILABLE_PERCENT("5", false, "least available memory (%)"),
  AGENT_HEALTH_SWAP_USED_PERCENT("50", false, "most swap in use (%)"),
  AGENT_HEALTH_LOAD_PER_CORE("2.0", false, "highest 5-minute load average per core"),
  AGENT_DEFINE_ALLOWED_PATHS(
      "", false, "directories (colon-separated) whose files define accepts besides the pools'"),
  AGENT_MIGRATION_URI(
      "", false, "libvirt URI other hosts migrate VMs to this host through; empty means none"),
  AGENT_MIGRATION_STREAM_URI(
      "", false, "where QEMU's migration stream to this host goes; empty lets libvirt choose");

  private final String defaultValue;
  private final boolean secret;
  private final String description;

  ConfigKey(String defaultValue, boolean secret, String description) {
    this.defaultValue = defaultValue;
    this.secret = secret;
    this.description = description;
  }

  /** The default value, empty when the key has none. */
  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  /** Whether the value must never be shown. */
  public boolean secret() {
    return secret;
  }

  /** One line on what the key sets. */
  public String description() {
    return description;
  }

  /** The key with this exact name, if there is one. */
  public static Optional<ConfigKey> byName(String name) {
    return Arrays.stream(values()).filter(k -> k.name().equals(name)).findFirst();
  }
}
