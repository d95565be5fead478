package io.vmagent.backend.http;

import io.vmagent.backend.service.ApiException;
import io.vmagent.backend.service.CommandService;
import io.vmagent.backend.store.CommandStore;
import io.vmagent.protocol.CommandList;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.QueueCommandRequest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Commands: an operator queues, lists, watches and cancels them; an agent polls for them and
 * reports results.
 */
final class CommandRoutes {
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
                                instant(x, "since"),
                                instant(x, "until"),
                                x.query("after")),
                            x.intQuery("limit", CommandList.DEFAULT_PAGE)))),
        Route.post(ProtocolPaths.OPERATOR_COMMAND_CANCEL)
            .by(callers.operator())
            .answer(x -> Reply.ok(commands.cancel(x.pathParam("commandId")))),
        Route.post(ProtocolPaths.OPERATOR_COMMANDS)
            .by(callers.operator())
            .answer(
                Body.of(QueueCommandRequest.class, maxBodyBytes),
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

  /** A time in a query (the OpenAPI document checked its form), or null when absent. */
  private static Instant instant(Exchange x, String name) {
    String value = x.query(name);
    try {
      return value == null ? null : OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(name + " must be a time such as 2026-12-06T10:00:00Z");
    }
  }
}
