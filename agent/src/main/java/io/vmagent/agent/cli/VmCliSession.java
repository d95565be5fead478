package io.vmagent.agent.cli;

import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.config.ConfigException;
import io.vmagent.agent.libvirt.ConnectionState;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.VmOperations;
import io.vmagent.agent.operation.OperationFailure;
import io.vmagent.protocol.ErrorCode;
import java.time.Duration;
import java.util.function.Function;

/** A libvirt connection and the VM operations for one local command, closed when it ends. */
final class VmCliSession implements AutoCloseable {
  private final AgentConfig config;
  private final LibvirtConnectionManager libvirt;
  private final VmOperations operations;

  private VmCliSession(
      AgentConfig config, LibvirtConnectionManager libvirt, VmOperations operations) {
    this.config = config;
    this.libvirt = libvirt;
    this.operations = operations;
  }

  /**
   * Connects to the configured libvirt; {@code requireConnection} fails fast with exit code 69 when
   * libvirt is unreachable (the health command reports it instead).
   */
  static VmCliSession open(ConfigOptions options, boolean requireConnection)
      throws ConfigException {
    AgentConfig config = options.loadLocal();
    LibvirtConnectionManager libvirt =
        new LibvirtConnectionManager(
            config.libvirtUri(),
            config.libvirtTimeout(),
            2,
            Duration.ofMillis(250),
            Duration.ofSeconds(1));
    ConnectionState state = libvirt.start();
    if (requireConnection && state != ConnectionState.CONNECTED) {
      String reason = libvirt.lastError();
      libvirt.close();
      throw new CommandFailure(
          ExitCodes.UNAVAILABLE,
          ErrorCode.LIBVIRT_UNAVAILABLE,
          "libvirt is unavailable: " + reason);
    }
    return new VmCliSession(
        config,
        libvirt,
        new VmOperations(libvirt, config.stopTimeout(), 2, config.defineAllowedPaths()));
  }

  /** The configuration the session was opened with. */
  AgentConfig config() {
    return config;
  }

  /** The session's libvirt connection. */
  LibvirtConnectionManager libvirt() {
    return libvirt;
  }

  /** Runs one operation, turning its error into the documented exit code and message. */
  <T> T run(Function<VmOperations, T> operation) {
    try {
      return operation.apply(operations);
    } catch (OperationFailure e) {
      throw CommandFailure.of(e);
    }
  }

  @Override
  public void close() {
    operations.close();
    libvirt.close();
  }
}
