package io.vmagent.agent.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's effective configuration: built once by {@link ConfigLoader}, validated, then never
 * changed. Every value remembers where it came from so an operator can see why it is what it is.
 */
public final class AgentConfig {
  private final Optional<URI> backendUrl;
  private final String libvirtUri;
  private final Optional<String> agentId;
  private final String agentName;
  private final Optional<Secret> token;
  private final boolean sslVerify;
  private final Optional<Path> sslCertPath;
  private final Optional<Path> sslKeyPath;
  private final Optional<Path> sslCaPath;
  private final Duration metricsInterval;
  private final Duration heartbeatInterval;
  private final Duration apiTimeout;
  private final int retryAttempts;
  private final double retryBackoff;
  private final LogLevel logLevel;
  private final Optional<Path> logFile;
  private final LogFormat logFormat;
  private final boolean autoRegister;
  private final Duration updateCheckInterval;
  private final Path stateDir;
  private final Path configFile;
  private final boolean allowInsecureHttp;
  private final Duration stopTimeout;
  private final Duration libvirtTimeout;
  private final Duration shutdownTimeout;
  private final Duration clockOffsetMax;
  private final long metricsSpoolMaxBytes;
  private final Optional<InetSocketAddress> prometheusListen;
  private final ResourceThresholds resourceThresholds;
  private final List<Path> defineAllowedPaths;
  private final Optional<String> migrationUri;
  private final Optional<String> migrationStreamUri;
  private final Map<ConfigKey, Origin> origins;
  private final List<String> warnings;

  /** A value as given, and where it came from; {@code value} is null when the key is unset. */
  public record Origin(String value, ConfigSource source) {}

  AgentConfig(ConfigLoader.Draft d) {
    this.backendUrl = Optional.ofNullable(d.backendUrl);
    this.libvirtUri = d.libvirtUri;
    this.agentId = Optional.ofNullable(d.agentId);
    this.agentName = d.agentName;
    this.token = Optional.ofNullable(d.token);
    this.sslVerify = d.sslVerify;
    this.sslCertPath = Optional.ofNullable(d.sslCertPath);
    this.sslKeyPath = Optional.ofNullable(d.sslKeyPath);
    this.sslCaPath = Optional.ofNullable(d.sslCaPath);
    this.metricsInterval = d.metricsInterval;
    this.heartbeatInterval = d.heartbeatInterval;
    this.apiTimeout = d.apiTimeout;
    this.retryAttempts = d.retryAttempts;
    this.retryBackoff = d.retryBackoff;
    this.logLevel = d.logLevel;
    this.logFile = Optional.ofNullable(d.logFile);
    this.logFormat = d.logFormat;
    this.autoRegister = d.autoRegister;
    this.updateCheckInterval = d.updateCheckInterval;
    this.stateDir = d.stateDir;
    this.configFile = d.configFile;
    this.allowInsecureHttp = d.allowInsecureHttp;
    this.stopTimeout = d.stopTimeout;
    this.libvirtTimeout = d.libvirtTimeout;
    this.shutdownTimeout = d.shutdownTimeout;
    this.clockOffsetMax = d.clockOffsetMax;
    this.metricsSpoolMaxBytes = d.metricsSpoolMaxBytes;
    this.prometheusListen = Optional.ofNullable(d.prometheusListen);
    this.resourceThresholds = d.resourceThresholds;
    this.defineAllowedPaths = List.copyOf(d.defineAllowedPaths);
    this.migrationUri = Optional.ofNullable(d.migrationUri);
    this.migrationStreamUri = Optional.ofNullable(d.migrationStreamUri);
    this.origins = Collections.unmodifiableMap(new EnumMap<>(d.origins));
    this.warnings = List.copyOf(d.warnings);
  }

  public Optional<URI> backendUrl() {
    return backendUrl;
  }

  public String libvirtUri() {
    return libvirtUri;
  }

  /** The configured or persisted agent id; empty only when it is yet to be generated. */
  public Optional<String> agentId() {
    return agentId;
  }

  public String agentName() {
    return agentName;
  }

  public Optional<Secret> token() {
    return token;
  }

  public boolean sslVerify() {
    return sslVerify;
  }

  public Optional<Path> sslCertPath() {
    return sslCertPath;
  }

  public Optional<Path> sslKeyPath() {
    return sslKeyPath;
  }

  public Optional<Path> sslCaPath() {
    return sslCaPath;
  }

  public Duration metricsInterval() {
    return metricsInterval;
  }

  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  public Duration apiTimeout() {
    return apiTimeout;
  }

  public int retryAttempts() {
    return retryAttempts;
  }

  public double retryBackoff() {
    return retryBackoff;
  }

  public LogLevel logLevel() {
    return logLevel;
  }

  public Optional<Path> logFile() {
    return logFile;
  }

  public LogFormat logFormat() {
    return logFormat;
  }

  public boolean autoRegister() {
    return autoRegister;
  }

  public Duration updateCheckInterval() {
    return updateCheckInterval;
  }

  public Path stateDir() {
    return stateDir;
  }

  public Path configFile() {
    return configFile;
  }

  public boolean allowInsecureHttp() {
    return allowInsecureHttp;
  }

  public Duration stopTimeout() {
    return stopTimeout;
  }

  public Duration libvirtTimeout() {
    return libvirtTimeout;
  }

  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /** How far the host's clock may be off the backend's before the agent reports degraded. */
  public Duration clockOffsetMax() {
    return clockOffsetMax;
  }

  public long metricsSpoolMaxBytes() {
    return metricsSpoolMaxBytes;
  }

  public Optional<InetSocketAddress> prometheusListen() {
    return prometheusListen;
  }

  /** The limits of the health checks on disk, inodes, memory, swap and load. */
  public ResourceThresholds resourceThresholds() {
    return resourceThresholds;
  }

  /** Directories whose files {@code define} accepts besides the storage pools'; may be empty. */
  public List<Path> defineAllowedPaths() {
    return defineAllowedPaths;
  }

  /** The libvirt URI other hosts migrate VMs to this host through; empty when it takes none. */
  public Optional<String> migrationUri() {
    return migrationUri;
  }

  /** Where QEMU's migration stream to this host goes; empty lets libvirt choose. */
  public Optional<String> migrationStreamUri() {
    return migrationStreamUri;
  }

  /** Where each key's value came from. */
  public Origin origin(ConfigKey key) {
    return origins.get(key);
  }

  /** Warnings found while loading (unknown keys, insecure settings); logged at every start. */
  public List<String> warnings() {
    return warnings;
  }

  /** Every key with its value as an operator may see it: secrets as {@code ***}, unset as null. */
  public Map<String, String> redacted() {
    Map<String, String> view = new LinkedHashMap<>();
    for (ConfigKey key : ConfigKey.values()) {
      Origin origin = origins.get(key);
      String value = origin == null ? null : origin.value();
      view.put(key.name(), value != null && key.secret() ? Secret.MASK : value);
    }
    return Collections.unmodifiableMap(view);
  }

  @Override
  public String toString() {
    return "AgentConfig" + redacted();
  }
}
