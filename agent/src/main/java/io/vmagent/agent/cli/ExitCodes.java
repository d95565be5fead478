package io.vmagent.agent.cli;

/** The exit codes of the {@code vm-agent} command, documented in the README. */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;
  /** The requested operation failed (for example a VM operation libvirt refused). */
  public static final int FAILED = 1;
  /** The command line was wrong (unknown option, missing argument). */
  public static final int USAGE = 2;
  /** A service the command needs (libvirt, the backend) cannot be reached (sysexits EX_UNAVAILABLE). */
  public static final int UNAVAILABLE = 69;
  /** The configuration is invalid (sysexits EX_CONFIG). */
  public static final int CONFIG = 78;
  /** Stopped by Ctrl-C. */
  public static final int INTERRUPTED = 130;

  private ExitCodes() {}
}
