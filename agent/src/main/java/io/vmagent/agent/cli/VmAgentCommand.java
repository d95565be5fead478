package io.vmagent.agent.cli;

import io.vmagent.agent.util.AgentVersion;
import io.vmagent.protocol.ErrorCode;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

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
      HelpCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  vm-agent run               run the daemon with /etc/vm-agent/agent.env",
      "  vm-agent config check      show the effective configuration and check it",
      "  vm-agent vm list           the VMs on this host",
      "  vm-agent health            check libvirt and the host's disk, memory, swap and load",
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
    cli.setExecutionStrategy(VmAgentCommand::execute);
    cli.setExecutionExceptionHandler(VmAgentCommand::handle);
    IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
    cli.setParameterExceptionHandler((e, args) -> handleUsage(e, args, usage));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Runs the command; a missing libvirt library, an Error picocli would pass on as a stack trace,
   * becomes a failure reported like any other.
   */
  private static int execute(ParseResult parsed) {
    try {
      return new CommandLine.RunLast().execute(parsed);
    } catch (LinkageError e) {
      CommandLine command = parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1);
      CommandFailure failure = MissingLibvirt.failure(e).orElseThrow(() -> e);
      throw new CommandLine.ExecutionException(command, failure.getMessage(), failure);
    }
  }

  private static int handle(Exception e, CommandLine cli, ParseResult parsed) {
    boolean json = cli.getParseResult() != null && cli.getParseResult().hasMatchedOption("--json");
    return ExitCodes.report(CommandFailure.of(e), cli.getOut(), cli.getErr(), json);
  }

  /** A command-line mistake: picocli's message and usage, or with --json the JSON error. */
  private static int handleUsage(
      ParameterException e, String[] args, IParameterExceptionHandler text) throws Exception {
    CommandLine cli = e.getCommandLine();
    boolean json =
        Arrays.asList(args).contains("--json") && cli.getCommandSpec().findOption("--json") != null;
    if (!json) {
      return text.handleParseException(e, args);
    }
    return ExitCodes.report(
        new CommandFailure(ExitCodes.USAGE, ErrorCode.INVALID_ARGUMENT, e.getMessage(), e),
        cli.getOut(),
        cli.getErr(),
        true);
  }

  /** Prints the agent's version for {@code --version}. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vm-agent " + AgentVersion.current()};
    }
  }
}
