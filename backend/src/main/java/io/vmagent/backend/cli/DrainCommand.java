package io.vmagent.backend.cli;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.DrainMove;
import io.vmagent.protocol.DrainRequest;
import io.vmagent.protocol.DrainView;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vm-backend agents drain}: empties an agent's host, or ends its drain. */
@Command(
    name = "drain",
    mixinStandardHelpOptions = true,
    description = {
      "Drain an agent's host: each VM running there moves to another agent's host (the one named"
          + " with --to, else the online one with the most available memory), --parallel at a"
          + " time, and the backend queues nothing else for the agent until the drain ends"
          + " ('agents drain ID --end'). Without --wait, print the drain (JSON); with --wait,"
          + " print each move as it ends."
    })
final class DrainCommand extends OperatorCommand {
  @Parameters(paramLabel = "ID", description = "The agent whose host is drained.")
  String id;

  @Option(names = "--to", paramLabel = "AGENT", description = "The agent every VM moves to.")
  String to;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      description = "Migrations at once, 1 to 4 (default: 1).")
  Integer parallel;

  @Option(
      names = "--param",
      paramLabel = "KEY=VALUE",
      description =
          "A migrate option for every move (live, copy_storage, unsafe, ...); repeatable.")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(names = "--wait", description = "Follow the drain until every move ended.")
  boolean await;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30m",
      converter = Durations.Wait.class,
      description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--end", description = "End the drain: the agent takes commands again.")
  boolean end;

  @Override
  int call(OperatorClient client) throws Exception {
    if (end) {
      if (to != null || parallel != null || await || !options.isEmpty()) {
        throw new IllegalArgumentException("--end takes no --to, --parallel, --param or --wait");
      }
      DrainView drain = client.endDrain(id);
      out()
          .println(
              "drain of agent "
                  + Output.text(drain.agentId())
                  + " ended"
                  + (drain.done() ? "" : "; migrations under way go on to their end"));
      return 0;
    }
    DrainView drain = client.beginDrain(id, new DrainRequest(to, parallel, options));
    if (!await) {
      Output.json(out(), drain);
      return 0;
    }
    Set<String> reported = new HashSet<>();
    long until = System.nanoTime() + timeout.toNanos();
    while (true) {
      report(drain, reported);
      if (drain.done() || System.nanoTime() >= until) {
        break;
      }
      Thread.sleep(500);
      drain = client.drain(id);
    }
    long moved = drain.moves().stream().filter(m -> m.state().equals("succeeded")).count();
    String summary =
        "drain of agent "
            + Output.text(drain.agentId())
            + ": "
            + moved
            + " of "
            + drain.moves().size()
            + " VM(s) moved";
    if (!drain.done()) {
      err()
          .println(
              "vm-backend: "
                  + summary
                  + " after "
                  + Durations.format(timeout)
                  + "; see it with: vm-backend agents show "
                  + Output.text(drain.agentId()));
      return Main.EXIT_COMMAND_FAILED;
    }
    out().println(summary + "; the drain stays on until 'agents drain ID --end'");
    return moved == drain.moves().size() ? 0 : Main.EXIT_COMMAND_FAILED;
  }

  /** Prints each move that ended since the last look, once. */
  private void report(DrainView drain, Set<String> reported) {
    for (DrainMove move : drain.moves()) {
      boolean ended =
          switch (move.state()) {
            case "succeeded", "failed", "conflict" -> true;
            default -> false;
          };
      if (ended && reported.add(move.vm())) {
        out()
            .println(
                "VM "
                    + Output.text(move.vm())
                    + " "
                    + move.state()
                    + (move.destinationAgent() == null
                        ? ""
                        : " (to " + Output.text(move.destinationAgent()) + ")")
                    + (move.migrationId() == null ? "" : " migration " + move.migrationId())
                    + (move.message() == null || move.state().equals("succeeded")
                        ? ""
                        : ": " + Output.text(move.message())));
      }
    }
  }
}
