package io.vmagent.backend.cli;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.QueueCommandRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vm-backend op OPERATION VM --agent ID}: queues a command, optionally awaits it. */
@CommandLine.Command(
    name = "op",
    mixinStandardHelpOptions = true,
    description =
        "Queue an operation (start, stop, restart, pause, resume, delete, info, snapshot, ...) on a"
            + " VM; with --wait, print its result.")
final class OpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Connection connection;

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

  @Option(names = "--wait", description = "Wait for the result and print it.")
  boolean await;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "120s",
      converter = Durations.Wait.class,
      description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
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
    OperatorClient client = connection.client();
    CommandView queued =
        client.queueCommand(
            new QueueCommandRequest(
                agent,
                operation,
                parameters,
                deadline == null ? null : Math.toIntExact(deadline.toSeconds())));
    var out = spec.commandLine().getOut();
    if (!await) {
      out.println(queued.id());
      return 0;
    }
    CommandView done = client.awaitCommand(queued.id(), timeout);
    Output.json(out, done);
    if (done.state() == CommandState.SUCCEEDED) {
      return 0;
    }
    spec.commandLine()
        .getErr()
        .println(
            "vm-backend: command "
                + done.id()
                + " is "
                + done.state().wire()
                + (done.result() != null && done.result().error() != null
                    ? ": "
                        + done.result().error().code()
                        + " "
                        + Output.text(done.result().error().message())
                    : ""));
    return Main.EXIT_COMMAND_FAILED;
  }
}
