package io.vmagent.backend.http;

import io.vmagent.backend.service.CommandService;
import io.vmagent.backend.store.CommandStore;
import io.vmagent.protocol.CommandList;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ParamLimits;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.QueueCommandRequest;
import java.util.List;

/**
 * Commands: an operator queues, lists, watches and cancels them; an agent polls for them and
 * reports results.
 */
final class CommandRoutes {
  // Room for the largest parameters (define's domain XML, create's user-data) at up to three UTF-8
  // bytes a character, and the request's other members; ParamLimits then checks the parameters.
  static final int QUEUE_BODY_BYTES = 3 * ParamLimits.MAX_LARGE_PARAMS_CHARS + 16 * 1024;

  private CommandRoutes() {}

  static List<Route> of(
      CommandService commands, Callers callers, int maxBodyBytes, int maxBatchBytes) {
    return List.of(
        Route.get(ProtocolPaths.OPERATOR_COMMANDS)
            .by(callers.operator())
            .answer(
                x ->
                    Reply.ok(
                        commands.list(
                            new CommandStore.Filter(
                                x.query("agent_id"),
                                x.query("vm"),
                                x.query("operation"),
                                x.query("state"),
                                Exchange.instantQuery(x, "since"),
                                Exchange.instantQuery(x, "until"),
                                x.query("after")),
                            x.intQuery("limit", CommandList.DEFAULT_PAGE)))),
        Route.post(ProtocolPaths.OPERATOR_COMMAND_CANCEL)
            .by(callers.operator())
            .answer(x -> Reply.ok(commands.cancel(x.pathParam("commandId")))),
        Route.post(ProtocolPaths.OPERATOR_COMMANDS)
            .by(callers.operator())
            .answer(
                Body.of(QueueCommandRequest.class, Math.max(maxBodyBytes, QUEUE_BODY_BYTES)),
                (x, request) -> Reply.created(commands.queue(request))),
        Route.get(ProtocolPaths.OPERATOR_COMMAND)
            .by(callers.operator())
            .answer(x -> Reply.ok(commands.view(x.pathParam("commandId"), x.intQuery("wait", 0)))),
        Route.get(ProtocolPaths.COMMANDS)
            .by(callers.pathAgent())
            .answer(
                x ->
                    Reply.later(
                        commands
                            .poll(x.agentId(), x.intQuery("max", 10), x.intQuery("wait", 0))
                            .thenApply(Reply::ok))),
        Route.post(ProtocolPaths.RESULTS)
            .by(callers.pathAgent())
            .answer(
                Body.of(CommandResult.class, maxBatchBytes),
                (x, result) -> Reply.ok(commands.submitResult(x.agentId(), result))));
  }
}
