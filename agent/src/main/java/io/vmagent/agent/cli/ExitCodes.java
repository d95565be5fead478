package io.vmagent.agent.cli;

import io.vmagent.agent.config.ConfigException;
import io.vmagent.protocol.text.Printable;
import java.io.PrintWriter;

/** The exit codes of the {@code vm-agent} command, documented in the README. */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;

  /** The requested operation failed (for example a VM operation libvirt refused). */
  public static final int FAILED = 1;

  /** The command line was wrong (unknown option, missing argument). */
  public static final int USAGE = 2;

  /**
   * A service the command needs (libvirt, the backend) cannot be reached, or libvirt's client
   * library cannot be loaded (sysexits EX_UNAVAILABLE); the systemd unit does not restart on it.
   */
  public static final int UNAVAILABLE = 69;

  /** The configuration is invalid (sysexits EX_CONFIG). */
  public static final int CONFIG = 78;

  /** Stopped by Ctrl-C. */
  public static final int INTERRUPTED = 130;

  private ExitCodes() {}

  /**
   * Tells the user why a command failed and returns its exit code: as text on {@code err}, or with
   * {@code json} as the JSON error object on {@code out}. Messages quote VM names and libvirt's
   * errors, so the text is printed through {@link Printable} (JSON escapes the same characters).
   */
  static int report(CommandFailure failure, PrintWriter out, PrintWriter err, boolean json) {
    if (json) {
      OutputOptions.printError(out, failure);
      return failure.exitCode();
    }
    err.println("vm-agent: " + Printable.escape(failure.getMessage()));
    if (failure.getCause() instanceof ConfigException) {
      err.println("See 'vm-agent config check' and the README's configuration table.");
    }
    err.flush();
    return failure.exitCode();
  }
}
