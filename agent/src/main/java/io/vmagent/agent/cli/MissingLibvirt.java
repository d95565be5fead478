package io.vmagent.agent.cli;

import io.vmagent.protocol.ErrorCode;
import java.util.Optional;

/**
 * libvirt's client library cannot be loaded: libvirt-java reaches it through JNA when a command
 * first touches libvirt, and JNA's error would otherwise end the command with a stack trace.
 */
final class MissingLibvirt {
  private MissingLibvirt() {}

  /** The failure to report when {@code error} says libvirt's library cannot be loaded. */
  static Optional<CommandFailure> failure(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (fromLibvirt(t)) {
        return Optional.of(
            new CommandFailure(
                ExitCodes.UNAVAILABLE,
                ErrorCode.LIBVIRT_UNAVAILABLE,
                "libvirt's client library libvirt.so.0 cannot be loaded ("
                    + firstLine(t.getMessage())
                    + "); install the package libvirt0 (Debian/Ubuntu: apt-get install libvirt0)",
                error));
      }
    }
    return Optional.empty();
  }

  // The first load fails with JNA's UnsatisfiedLinkError inside libvirt-java's class
  // initialiser; later uses of that class fail with NoClassDefFoundError naming it.
  private static boolean fromLibvirt(Throwable t) {
    if (t instanceof NoClassDefFoundError) {
      return String.valueOf(t.getMessage()).contains("org.libvirt.");
    }
    if (t instanceof UnsatisfiedLinkError) {
      for (StackTraceElement frame : t.getStackTrace()) {
        if (frame.getClassName().startsWith("org.libvirt.")) {
          return true;
        }
      }
    }
    return false;
  }

  private static String firstLine(String message) {
    String line = message == null ? "" : message.lines().findFirst().orElse("").strip();
    // JNA's message goes on after a colon with each place it looked, one a line.
    return line.endsWith(":") ? line.substring(0, line.length() - 1) : line;
  }
}
