package io.vmagent.agent.cli;

import io.vmagent.agent.util.AgentVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** The {@code vm-agent} command line: the top-level command and its subcommands. */
@Command(
    name = "vm-agent",
    mixinStandardHelpOptions = true,
    versionProvider = VmAgentCommand.Version.class,
    description =
        "Host agent for virtual-machine fleets: runs VM operations through libvirt, "
            + "reports metrics and takes commands from the backend.",
    subcommands = {
      RunCommand.class,
      ConfigCommand.class,
      VersionCommand.class,
      MetricsCommand.class,
      VmCommand.class,
      HealthCommand.class,
      DoctorCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  vm-agent run               run the daemon with /etc/vm-agent/agent.env",
      "  vm-agent config check      show the effective configuration and check it",
      "  vm-agent vm list           the VMs on this host",
      "  vm-agent health            check libvirt",
      "  vm-agent help run          help on one command",
      "",
      "Exit codes: 0 ok, 1 operation failed, 2 usage error,",
      "  69 libvirt or backend unavailable, 78 invalid configuration, 130 interrupted."
    })
public final class VmAgentCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The configured command line, shared by {@link Main} and the tests. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new VmAgentCommand());
    cli.setExecutionExceptionHandler(VmAgentCommand::handle);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    return ExitCodes.report(e, cli.getErr());
  }

  /** Prints the agent's version for {@code --version}. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vm-agent " + AgentVersion.current()};
    }
  }
}
