package io.vmagent.backend.cli;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.CommandList;
import io.vmagent.protocol.CommandView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vm-backend commands}: past and present commands, one with its result, cancelling. */
@Command(
    name = "commands",
    mixinStandardHelpOptions = true,
    description = "Commands queued for agents: list them, show one with its result, cancel one.",
    subcommands = {
      CommandsCommand.ListCommands.class,
      CommandsCommand.Show.class,
      CommandsCommand.Cancel.class,
      HelpCommand.class
    })
final class CommandsCommand extends CommandGroup {
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List commands, newest first.")
  static final class ListCommands extends ListCommand<CommandView> {
    @Option(names = "--agent", paramLabel = "ID", description = "Only this agent's commands.")
    String agent;

    @Option(names = "--vm", paramLabel = "NAME", description = "Only commands for this VM.")
    String vm;

    @Option(names = "--operation", paramLabel = "NAME", description = "Only this operation.")
    String operation;

    @Option(
        names = "--state",
        paramLabel = "STATE",
        description = "Only this state: queued, leased, succeeded, failed, expired, cancelled.")
    String state;

    @Option(
        names = "--since",
        paramLabel = "TIME",
        description = "Queued at or after this time (2026-12-06T10:00:00Z).")
    Instant since;

    @Option(names = "--until", paramLabel = "TIME", description = "Queued before this time.")
    Instant until;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "Most commands listed, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    void checkArguments() {
      if (limit < 1 || limit > 10_000) {
        throw new IllegalArgumentException("--limit must be 1 to 10000, got " + limit);
      }
    }

    @Override
    List<CommandView> list(OperatorClient client) throws Exception {
      List<CommandView> all = new ArrayList<>();
      String after = null;
      do {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("agent_id", agent);
        query.put("vm", vm);
        query.put("operation", operation);
        query.put("state", state);
        query.put("since", since == null ? null : since.toString());
        query.put("until", until == null ? null : until.toString());
        query.put("after", after);
        query.put("limit", String.valueOf(Math.min(CommandList.MAX_PAGE, limit - all.size())));
        CommandList page = client.listCommands(query);
        all.addAll(page.commands());
        after = page.next();
      } while (after != null && all.size() < limit);
      return all;
    }

    @Override
    List<String> header() {
      return List.of("ID", "AGENT", "OPERATION", "VM", "STATE", "QUEUED", "ERROR");
    }

    @Override
    List<Object> row(CommandView command) {
      return Output.row(
          command.id(),
          command.agentId(),
          command.operation(),
          command.params().get(io.vmagent.protocol.Command.PARAM_VM),
          command.cancelRequestedAt() != null && !command.finished()
              ? command.state().wire() + " (cancel requested)"
              : command.state().wire(),
          command.createdAt(),
          command.result() == null || command.result().error() == null
              ? null
              : command.result().error().code());
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print one command with its result, as JSON.")
  static final class Show extends OperatorCommand {
    @Parameters(paramLabel = "ID", description = "The command's id.")
    String id;

    @Override
    int call(OperatorClient client) throws Exception {
      Output.json(out(), client.command(id, 0));
      return 0;
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description =
          "Cancel a command: a queued one at once (no agent ever receives it); one an agent holds"
              + " is not delivered again, and its result is accepted when it comes.")
  static final class Cancel extends OperatorCommand {
    @Parameters(paramLabel = "ID", description = "The command's id.")
    String id;

    @Override
    int call(OperatorClient client) throws Exception {
      Output.json(out(), client.cancelCommand(id));
      return 0;
    }
  }
}
