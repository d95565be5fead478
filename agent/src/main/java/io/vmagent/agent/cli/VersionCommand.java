package io.vmagent.agent.cli;

import io.vmagent.agent.util.AgentVersion;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vm-agent version}: the agent's, Java's and the operating system's versions. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = "Print the agent's version and its runtime.")
final class VersionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    out.println("vm-agent " + AgentVersion.current());
    out.println("java     " + System.getProperty("java.vm.name") + " " + Runtime.version());
    out.println(
        "os       "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    out.flush();
    return ExitCodes.OK;
  }
}
