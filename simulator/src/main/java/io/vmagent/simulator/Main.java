package io.vmagent.simulator;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code vm-fleet-sim}: {@code run} a simulated fleet, or render a {@code table}.
 */
@Command(
    name = "vm-fleet-sim",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Simulated agent fleet for load-testing the vm-agent backend.",
    subcommands = {RunCommand.class, TableCommand.class})
public final class Main implements Runnable {
  private static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    // With fewer than two common-pool workers (any machine under three cores) CompletableFuture
    // runs default-executor stages on a new thread per task, and the JDK HTTP client completes
    // every sendAsync on that executor: thousands of short-lived threads a second under load.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "a subcommand is needed: run or table");
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"vm-fleet-sim " + (v == null ? "development" : v)};
    }
  }
}
