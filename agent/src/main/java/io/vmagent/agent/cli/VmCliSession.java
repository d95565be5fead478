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
  private final LibvirtConnectionManager libvirt;
  private final VmOperations operations;

  private VmCliSession(LibvirtConnectionManager libvirt, VmOperations operations) {
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
      throw new CommandFailure(ExitCodes.UNAVAILABLE, "libvirt is unavailable: " + reason);
    }
    return new VmCliSession(
        libvirt, new VmOperations(libvirt, config.stopTimeout(), 2, config.defineAllowedPaths()));
  }

  /** Runs one operation, turning its error into the documented exit code and message. */
  <T> T run(Function<VmOperations, T> operation) {
    try {
      return operation.apply(operations);
    } catch (OperationFailure e) {
      throw new CommandFailure(exitCode(e.code()), e.code() + ": " + e.getMessage(), e);
    }
  }

  static int exitCode(ErrorCode code) {
    return switch (code) {
      case LIBVIRT_UNAVAILABLE -> ExitCodes.UNAVAILABLE;
      case INVALID_ARGUMENT -> ExitCodes.USAGE;
      default -> ExitCodes.FAILED;
    };
  }

  @Override
  public void close() {
    operations.close();
    libvirt.close();
  }
}
