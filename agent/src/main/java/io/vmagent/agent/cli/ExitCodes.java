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
   * A service the command needs (libvirt, the backend) cannot be reached (sysexits EX_UNAVAILABLE).
   */
  public static final int UNAVAILABLE = 69;

  /** The configuration is invalid (sysexits EX_CONFIG). */
  public static final int CONFIG = 78;

  /** Stopped by Ctrl-C. */
  public static final int INTERRUPTED = 130;

  private ExitCodes() {}

  /**
   * Tells the user on {@code err} why a command failed and returns its exit code. Messages quote VM
   * names and libvirt's errors, so they are printed through {@link Printable}.
   */
  static int report(Exception e, PrintWriter err) {
    if (e instanceof ConfigException config) {
      err.println("vm-agent: " + Printable.escape(config.getMessage()));
      err.println("See 'vm-agent config check' and the README's configuration table.");
      err.flush();
      return CONFIG;
    }
    if (e instanceof CommandFailure failure) {
      err.println("vm-agent: " + Printable.escape(failure.getMessage()));
      err.flush();
      return failure.exitCode();
    }
    err.println("vm-agent: unexpected error: " + Printable.escape(e.toString()));
    err.flush();
    return FAILED;
  }
}
