package io.vmagent.agent.cli;

import io.vmagent.protocol.text.Printable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code help [COMMAND...]}: the usage of the command above it or of any command below, however
 * deep ({@code vm-agent help vm stop}); picocli's own help command looks only one level down.
 */
@Command(
    name = "help",
    helpCommand = true,
    mixinStandardHelpOptions = true,
    description = "Show the usage of a command, e.g. 'help vm stop'.")
final class HelpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "A command and subcommands.")
  List<String> path = new ArrayList<>();

  @Override
  public Integer call() {
    CommandLine target = spec.commandLine().getParent();
    for (String name : path) {
      CommandLine next = target.getSubcommands().get(name);
      if (next == null) {
        target.getErr().println("Unknown command: '" + Printable.escape(name) + "'");
        target.usage(target.getErr());
        return ExitCodes.USAGE;
      }
      target = next;
    }
    target.usage(spec.commandLine().getOut());
    return ExitCodes.OK;
  }
}
