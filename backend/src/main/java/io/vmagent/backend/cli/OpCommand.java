package io.vmagent.backend.cli;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import io.vmagent.protocol.MigrateRequest;
import io.vmagent.protocol.MigrationView;
import io.vmagent.protocol.QueueCommandRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vm-backend op OPERATION VM --agent ID}: queues a command, optionally awaits it. */
@CommandLine.Command(
    name = "op",
    mixinStandardHelpOptions = true,
    description =
        "Queue an operation (start, stop, restart, pause, resume, delete, info, snapshot, ...) on a"
            + " VM; with --wait, print its result. 'op migrate VM --agent SRC --to DST' moves"
            + " the VM to DST's host (the --params are migrate's options).")
final class OpCommand extends OperatorCommand {
  @Parameters(index = "0", paramLabel = "OPERATION", description = "The operation.")
  String operation;

  @Parameters(
      index = "1",
      paramLabel = "VM",
      arity = "0..1",
      description = "The VM (omit for host-wide operations such as list).")
  String vm;

  @Option(
      names = "--agent",
      required = true,
      paramLabel = "ID",
      description = "The agent that runs it.")
  String agent;

  @Option(
      names = "--param",
      paramLabel = "KEY=VALUE",
      description = "An operation parameter; repeatable.")
  List<String> params = new ArrayList<>();

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      converter = Durations.Deadline.class,
      description = "Must start within, 1s to 24h (default: the backend's, 5m).")
  Duration deadline;

  @Option(
      names = "--to",
      paramLabel = "ID",
      description = "For migrate: the agent whose host the VM moves to.")
  String destination;

  @Option(names = "--wait", description = "Wait for the result and print it.")
  boolean await;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "120s",
      converter = Durations.Wait.class,
      description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  private Map<String, String> parameters;

  @Override
  void checkArguments() {
    parameters = parameters();
    if (destination != null && !operation.equals("migrate")) {
      throw new IllegalArgumentException("--to is for migrate only");
    }
    if (operation.equals("migrate") && destination != null && vm == null) {
      throw new IllegalArgumentException("migrate needs the VM");
    }
  }

  @Override
  int call(OperatorClient client) throws Exception {
    if (destination != null) {
      return migrate(client);
    }
    CommandView queued =
        client.queueCommand(
            new QueueCommandRequest(
                agent,
                operation,
                parameters,
                deadline == null ? null : Math.toIntExact(deadline.toSeconds())));
    if (!await) {
      out().println(queued.id());
      return 0;
    }
    CommandView done = client.awaitCommand(queued.id(), timeout);
    Output.json(out(), done);
    if (done.state() == CommandState.SUCCEEDED) {
      return 0;
    }
    err()
        .println(
            "vm-backend: command "
                + done.id()
                + " is "
                + done.state().wire()
                + (done.finished() ? why(done) : stillWaiting(client, done)));
    return Main.EXIT_COMMAND_FAILED;
  }

  /** Begins a migration through the backend; with --wait, follows it to its end. */
  private int migrate(OperatorClient client) throws Exception {
    Map<String, String> options = new LinkedHashMap<>(parameters);
    options.remove(Command.PARAM_VM);
    MigrationView view = client.beginMigration(new MigrateRequest(vm, agent, destination, options));
    if (!await) {
      out().println(view.migrationId());
      return 0;
    }
    long until = System.nanoTime() + timeout.toNanos();
    while (!view.finished() && System.nanoTime() < until) {
      Thread.sleep(500);
      view = client.migration(view.migrationId());
    }
    Output.json(out(), view);
    if (view.state().equals("succeeded")) {
      return 0;
    }
    err()
        .println(
            "vm-backend: migration "
                + view.migrationId()
                + " is "
                + view.state()
                + (view.message() == null ? "" : ": " + Output.text(view.message())));
    return Main.EXIT_COMMAND_FAILED;
  }

  /** Why a command has no result after the wait, and how to look it up later. */
  private String stillWaiting(OperatorClient client, CommandView command) {
    String lookUp =
        "; see it later with: vm-backend commands show " + command.id() + " (or cancel it)";
    if (command.state() == CommandState.LEASED) {
      return " after "
          + Durations.format(timeout)
          + ": agent "
          + command.agentId()
          + " received it (delivery "
          + command.deliveries()
          + ") but has not reported a result yet"
          + lookUp;
    }
    String agentState;
    try {
      AgentStatus agent = client.showAgent(command.agentId());
      agentState =
          agent.connectivity() == Connectivity.ONLINE
              ? "agent " + command.agentId() + " is online but has not asked for it yet"
              : "agent "
                  + command.agentId()
                  + " is "
                  + agent.connectivity().wire()
                  + " (last heartbeat "
                  + (agent.lastHeartbeatAt() == null ? "never" : agent.lastHeartbeatAt())
                  + ")";
    } catch (IOException e) {
      agentState =
          "agent " + command.agentId() + "'s status cannot be read (" + e.getMessage() + ")";
    }
    return " after "
        + Durations.format(timeout)
        + ": "
        + agentState
        + "; it runs if the agent asks for it before its deadline "
        + command.deadline()
        + lookUp;
  }

  /** The VM and the {@code --param}s, in the order given. */
  private Map<String, String> parameters() {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (vm != null) {
      parameters.put(Command.PARAM_VM, vm);
    }
    for (String param : params) {
      int eq = param.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--param must be KEY=VALUE, got '" + param + "'");
      }
      parameters.put(param.substring(0, eq), param.substring(eq + 1));
    }
    return parameters;
  }

  /** The failed command's error code and message, or nothing when it did not say. */
  private static String why(CommandView done) {
    return done.result() != null && done.result().error() != null
        ? ": " + done.result().error().code() + " " + Output.text(done.result().error().message())
        : "";
  }
}
