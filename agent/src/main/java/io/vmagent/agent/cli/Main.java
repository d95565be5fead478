package io.vmagent.agent.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * Entry point of the {@code vm-agent} command. No method here names a picocli type: the Java
 * launcher loads every type in the main class's method signatures before it calls main.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(
        isPlainRun(args)
            ? runDaemon(
                new PrintWriter(new OutputStreamWriter(System.err, Charset.defaultCharset()), true))
            : VmAgentCommand.commandLine().execute(args));
  }

  /**
   * {@code vm-agent run} with no options, what the systemd unit starts, skips the command-line
   * parser: picocli builds a model of every subcommand (about 180 classes and their objects) and
   * keeps it reachable for as long as the command runs, which for the daemon is its whole life.
   * Anything else, {@code run --help} and {@code run --log-level DEBUG} included, goes through
   * picocli as usual.
   */
  static boolean isPlainRun(String[] args) {
    return args.length == 1 && args[0].equals("run");
  }

  /** Runs the daemon as {@code vm-agent run} does; failures map to the same exit codes. */
  static int runDaemon(PrintWriter err) {
    try {
      return new RunCommand().call();
    } catch (Exception e) {
      return ExitCodes.report(CommandFailure.of(e), err, err, false);
    } catch (LinkageError e) {
      return ExitCodes.report(MissingLibvirt.failure(e).orElseThrow(() -> e), err, err, false);
    }
  }
}
