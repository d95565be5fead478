package io.vmagent.backend.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.vmagent.backend.store.AgentRow;
import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.CommandRow;
import io.vmagent.backend.store.CommandStore;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.MigrationStore;
import io.vmagent.backend.store.TelemetryStore;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandList;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.ParamLimits;
import io.vmagent.protocol.QueueCommandRequest;
import io.vmagent.protocol.ResultAck;
import io.vmagent.protocol.ResultStatus;
import io.vmagent.protocol.text.Printable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command queue's rules: queueing, leased at-least-once delivery through long polls, one
 * accepted result per command, and waiting for a command to finish.
 */
public final class CommandService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandService.class);
  private static final TypeReference<Map<String, String>> PARAMS = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  /** The operations an operator may still queue on a VM while a migration moves it. */
  public static final List<String> WHILE_MIGRATING = List.of("info", "migrate_abort");

  private final Database database;
  private final AgentStore agents;
  private final CommandStore commands;
  private final JsonCodec json;
  private final Duration lease;
  private final Duration defaultDeadline;
  private final Duration recheck;
  private final Clock clock;
  private final LongPolls longPolls;
  private final AddressReports addresses;
  private final MigrationStore migrations = new MigrationStore();
  private final CommandExpiry expiry;

  /**
   * A service leasing commands for {@code lease}; waiting polls re-check the database every {@code
   * recheck} so commands queued by another instance are seen too; one agent holds at most {@code
   * maxWaitingPollsPerAgent} polls waiting.
   */
  public CommandService(
      Database database,
      AgentStore agents,
      CommandStore commands,
      TelemetryStore telemetry,
      JsonCodec json,
      Duration lease,
      Duration defaultDeadline,
      Duration recheck,
      int maxWaitingPollsPerAgent,
      Clock clock) {
    this.database = database;
    this.agents = agents;
    this.commands = commands;
    this.json = json;
    this.lease = lease;
    this.defaultDeadline = defaultDeadline;
    this.recheck = recheck;
    this.clock = clock;
    this.addresses = new AddressReports(telemetry, json);
    this.expiry = new CommandExpiry(database, commands, clock);
    this.longPolls =
        new LongPolls(
            this::leaseBatch,
            this::agentsWithLeasableCommands,
            recheck,
            4,
            maxWaitingPollsPerAgent);
  }

  /**
   * Queues a command for a registered, unrevoked agent, not being drained, that advertises its
   * operation, its parameters within {@link ParamLimits}, on no VM a migration is moving (but
   * {@link #WHILE_MIGRATING}), and wakes its waiting poll.
   */
  public CommandView queue(QueueCommandRequest request) {
    return queue(request, UUID.randomUUID().toString(), true);
  }

  /**
   * Queues a command under an id chosen beforehand (the migrations write it first, so a backend
   * started again knows whether the command was queued); an agent being drained takes it, and so
   * does a VM being migrated, as these are the commands that move VMs.
   */
  public CommandView queue(QueueCommandRequest request, String commandId) {
    return queue(request, commandId, false);
  }

  /**
   * Queues the command; {@code fromOperator}, not for an agent being drained nor on a VM being
   * migrated.
   */
  private CommandView queue(QueueCommandRequest request, String commandId, boolean fromOperator) {
    ParamLimits.problem(request.operation(), request.params())
        .ifPresent(
            tooLarge -> {
              throw ApiException.badRequest(tooLarge);
            });
    Instant now = clock.instant();
    Duration deadline =
        request.deadlineSeconds() == null
            ? defaultDeadline
            : Duration.ofSeconds(request.deadlineSeconds());
    CommandRow row =
        new CommandRow(
            commandId,
            request.agentId(),
            request.operation(),
            json.write(request.params()),
            "queued",
            now,
            now.plus(deadline),
            null,
            0,
            null,
            null,
            null,
            request.params().get("vm"),
            null);
    database.inTransaction(
        "queue a command",
        c -> {
          AgentRow agent =
              (fromOperator
                      ? agents.findForUpdate(c, request.agentId())
                      : agents.find(c, request.agentId()))
                  .orElseThrow(() -> ApiException.notFound("no agent " + request.agentId()));
          if (agent.revoked()) {
            throw new ApiException(
                ErrorCode.CONFLICT, "agent " + request.agentId() + " is revoked");
          }
          if (fromOperator) {
            refuseWhileBusy(c, agent.agentId(), request);
          }
          refuseUnadvertised(
              agent.agentId(), json.read(agent.capabilitiesJson(), STRINGS), request.operation());
          commands.insert(c, row);
          return null;
        });
    longPolls.wake(request.agentId());
    LOG.info(
        "command {} ({}) queued for agent {}", row.commandId(), row.operation(), row.agentId());
    return view(row);
  }

  /**
   * Refuses {@code operation} for an agent that does not advertise it (see {@link Capabilities}),
   * so it fails at once instead of on the agent later; an agent that advertised nothing is not
   * checked.
   */
  private static void refuseUnadvertised(
      String agentId, List<String> advertised, String operation) {
    if (advertised.isEmpty() || advertised.contains(operation)) {
      return;
    }
    throw new ApiException(
        ErrorCode.UNSUPPORTED_OPERATION,
        "agent "
            + agentId
            + " does not run '"
            + Printable.escape(operation)
            + "'; it runs "
            + String.join(", ", advertised));
  }

  /**
   * Refuses an operator's command for an agent being drained, or on a VM that a migration is moving
   * off or onto this agent: stopping, changing or deleting it midway would leave the VM on neither
   * host or both.
   */
  private void refuseWhileBusy(Connection c, String agentId, QueueCommandRequest request)
      throws SQLException {
    String vm = request.params().get("vm");
    boolean exempt = vm == null || WHILE_MIGRATING.contains(request.operation());
    MigrationStore.Busy busy = migrations.busy(c, agentId, exempt ? null : vm);
    if (busy.draining()) {
      throw new ApiException(
          ErrorCode.AGENT_DRAINING,
          "agent "
              + agentId
              + " is being drained: it takes only the migrations that move its VMs off");
    }
    refuseIfMigrating(
        busy,
        vm,
        ": "
            + request.operation()
            + " waits until the migration ends; only "
            + String.join(" and ", WHILE_MIGRATING)
            + " reach it now");
  }

  /**
   * Refuses with {@code VM_MIGRATING} when {@code busy} names a migration under way that moves
   * {@code vm}; {@code consequence} ends the message. The queue and a second migration's begin both
   * refuse here.
   */
  static void refuseIfMigrating(MigrationStore.Busy busy, String vm, String consequence) {
    if (busy.migrationId() != null) {
      throw new ApiException(
          ErrorCode.VM_MIGRATING,
          "VM "
              + Printable.escape(vm)
              + " is being migrated (migration "
              + busy.migrationId()
              + ")"
              + consequence);
    }
  }

  /**
   * Leases the agent's waiting commands; when there are none, the answer comes when one is queued
   * (here, at once; through another instance, at the next re-check) or empty after {@code
   * waitSeconds}. No thread is held while it waits.
   */
  public CompletableFuture<CommandBatch> poll(String agentId, int max, int waitSeconds) {
    long wakes = longPolls.wakes(agentId);
    CommandBatch now = leaseBatch(agentId, max);
    if (!now.commands().isEmpty() || waitSeconds == 0 || longPolls.closed()) {
      return CompletableFuture.completedFuture(withCancelRequests(agentId, now));
    }
    return longPolls
        .await(agentId, max, Duration.ofSeconds(waitSeconds), wakes)
        .thenApply(batch -> withCancelRequests(agentId, batch));
  }

  /**
   * The batch with the ids of the agent's commands an operator asked to cancel, read when the poll
   * is answered (so a waiting poll answered early by a cancel request carries it); none for an
   * agent that registered before protocol 4.
   */
  private CommandBatch withCancelRequests(String agentId, CommandBatch batch) {
    if (longPolls.closed()) {
      return batch; // shutting down: the database may be gone; the next answer tells
    }
    CommandStore.CancelRequests requests =
        database.read("read cancel requests", c -> commands.cancelRequested(c, agentId));
    return CommandBatch.toldOfCancelRequests(requests.protocolVersion())
        ? batch.withCancelRequested(requests.commandIds())
        : batch;
  }

  /** How many long polls wait in this process now. */
  public int waitingPolls() {
    return longPolls.waitingCount();
  }

  /** How many commands are kept in each state, every state named (zero when none). */
  public Map<String, Integer> countsByState() {
    Map<String, Integer> stored = database.inTransaction("count commands", commands::countByState);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (CommandState state : CommandState.values()) {
      counts.put(state.wire(), stored.getOrDefault(state.wire(), 0));
    }
    return counts;
  }

  private CommandBatch leaseBatch(String agentId, int max) {
    return new CommandBatch(
        lease(agentId, max).stream().map(this::command).toList(), clock.instant());
  }

  private Set<String> agentsWithLeasableCommands() {
    Instant now = clock.instant();
    return database.read("find agents with commands", c -> commands.agentsWithLeasable(c, now));
  }

  private List<CommandRow> lease(String agentId, int max) {
    Instant now = clock.instant();
    // Overdue commands are not expired here: the lease never takes one, and CommandExpiry marks
    // them for every agent at once, instead of an UPDATE in every poll.
    return database.inTransaction(
        "lease commands", c -> commands.lease(c, agentId, max, now, now.plus(lease)));
  }

  /** What became of a submitted result. */
  private enum Outcome {
    APPLIED,
    DUPLICATE,
    LATE,
    NOT_LEASED
  }

  /**
   * Stores the agent's first result for a command leased to it; a repeat is acknowledged, not
   * applied. A result for a command that expired, or that was never delivered, is refused with 409
   * and changes nothing about the command; one for an expired command is kept as its late result.
   */
  public ResultAck submitResult(String agentId, CommandResult result) {
    checkConsistent(result);
    String state = stateAfter(result);
    String resultJson = json.write(result);
    Instant now = clock.instant();
    Recorded recorded =
        database.inTransaction(
            "record a result", c -> record(c, agentId, result, state, resultJson, now));
    switch (recorded.outcome()) {
      case APPLIED -> {
        longPolls.fire(resultKey(agentId));
        LOG.info("command {} {} on agent {}", result.commandId(), state, agentId);
      }
      case DUPLICATE -> LOG.info("repeated result for command {} ignored", result.commandId());
      case LATE -> throw late(agentId, result.commandId());
      case NOT_LEASED -> throw notLeased(agentId, result.commandId(), recorded.stateFound());
    }
    return new ResultAck(result.commandId(), recorded.outcome() == Outcome.DUPLICATE);
  }

  /**
   * Keeps the VM's interfaces from a successful {@code addresses} or {@code info} result, the only
   * results that carry them.
   */
  private void recordAddresses(Connection c, String agentId, CommandResult result, Instant now)
      throws SQLException {
    JsonNode body = result.result();
    if (result.status() != ResultStatus.SUCCEEDED || body == null) {
      return;
    }
    switch (body.path("operation").asText()) {
      case "addresses" ->
          addresses.record(c, agentId, body.path("uuid").asText(), body.path("interfaces"), now);
      case "info" ->
          addresses.record(
              c, agentId, body.path("vm").path("uuid").asText(), body.path("interfaces"), now);
      default -> {
        // no other result names a VM's addresses
      }
    }
  }

  /** What became of a result, and the state its command was found in when it was not applied. */
  private record Recorded(Outcome outcome, String stateFound) {}

  private Recorded record(
      Connection c,
      String agentId,
      CommandResult result,
      String state,
      String resultJson,
      Instant now)
      throws SQLException {
    String commandId = result.commandId();
    if (commands.recordResult(c, commandId, agentId, state, resultJson, now)) {
      recordAddresses(c, agentId, result, now);
      return new Recorded(Outcome.APPLIED, null);
    }
    CommandRow existing =
        commands
            .find(c, commandId)
            .orElseThrow(() -> ApiException.notFound("no command " + commandId));
    if (!existing.agentId().equals(agentId)) {
      throw ApiException.forbidden("the command belongs to another agent");
    }
    if (existing.resultJson() != null) {
      return new Recorded(Outcome.DUPLICATE, existing.state());
    }
    if (existing.state().equals("expired")) {
      commands.recordLateResult(c, commandId, resultJson);
      return new Recorded(Outcome.LATE, existing.state());
    }
    return new Recorded(Outcome.NOT_LEASED, existing.state());
  }

  /**
   * The state a result leaves its command in: an agent that stopped the operation on a cancel
   * request reports the error {@code CANCELLED}, which makes the command cancelled with that
   * result.
   */
  private static String stateAfter(CommandResult result) {
    if (result.status() == ResultStatus.SUCCEEDED) {
      return "succeeded";
    }
    return result.error().code() == ErrorCode.CANCELLED ? "cancelled" : "failed";
  }

  private static ApiException late(String agentId, String commandId) {
    LOG.warn(
        "late result for command {} from agent {} refused: the command expired; kept as its"
            + " late result",
        commandId,
        agentId);
    return new ApiException(
        ErrorCode.CONFLICT,
        "command "
            + commandId
            + " expired before its result came; the result is kept as the command's"
            + " late_result and not applied");
  }

  private static ApiException notLeased(String agentId, String commandId, String state) {
    LOG.warn(
        "result for command {} from agent {} refused: the command is {}, never delivered",
        commandId,
        agentId,
        state);
    return new ApiException(
        ErrorCode.CONFLICT,
        "command "
            + commandId
            + " is "
            + state
            + ": a result is taken only for a command leased to the agent");
  }

  private static void checkConsistent(CommandResult result) {
    if (result.status() == ResultStatus.FAILED && result.error() == null) {
      throw ApiException.badRequest("a failed result needs an error");
    }
    if (result.status() == ResultStatus.SUCCEEDED && result.error() != null) {
      throw ApiException.badRequest("a succeeded result must not carry an error");
    }
    if (result.finishedAt().isBefore(result.startedAt())) {
      throw ApiException.badRequest("finished_at is before started_at");
    }
  }

  /** The command as it stands, waiting up to {@code waitSeconds} for it to finish. */
  public CommandView view(String commandId, int waitSeconds) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
    String key = null;
    while (true) {
      long seen = key == null ? 0 : longPolls.version(key);
      CommandView view = readView(commandId);
      key = resultKey(view.agentId());
      long left = until - System.nanoTime();
      if (view.finished() || left <= 0 || longPolls.closed()) {
        return view;
      }
      if (seen != longPolls.version(key)) {
        continue;
      }
      longPolls.awaitVersion(key, seen, Math.min(recheck.toMillis(), left / 1_000_000L + 1));
    }
  }

  /** A page of commands, newest first; {@code limit} is already within the API's bounds. */
  public CommandList list(CommandStore.Filter filter, int limit) {
    List<CommandRow> rows =
        database.inTransaction(
            "list commands",
            c -> {
              if (filter.after() != null && commands.find(c, filter.after()).isEmpty()) {
                throw ApiException.badRequest(
                    "after names no command; pass the 'next' of the previous page");
              }
              return commands.page(c, filter, limit + 1);
            });
    boolean more = rows.size() > limit;
    List<CommandView> page = rows.stream().limit(limit).map(this::view).toList();
    return new CommandList(page, more ? page.get(page.size() - 1).id() : null);
  }

  /**
   * Cancels a command: one no agent holds at once (no agent ever receives it), one an agent holds
   * by recording the request (it is not delivered again; its result is still accepted). A finished
   * command is a conflict; asking twice changes nothing the second time.
   */
  public CommandView cancel(String commandId) {
    Instant now = clock.instant();
    CommandView view =
        database.inTransaction(
            "cancel a command",
            c -> {
              CommandRow row =
                  commands
                      .find(c, commandId)
                      .orElseThrow(() -> ApiException.notFound("no command " + commandId));
              commands.expireOverdue(c, row.agentId(), now);
              if (!commands.cancel(c, commandId, now)) {
                commands.requestCancel(c, commandId, now);
              }
              return view(commands.find(c, commandId).orElseThrow());
            });
    if (view.finished() && view.state() != CommandState.CANCELLED) {
      throw new ApiException(
          ErrorCode.CONFLICT,
          "command "
              + commandId
              + " has finished ("
              + view.state().wire()
              + "); nothing to cancel");
    }
    LOG.info(
        "command {} ({} for agent {}) {}",
        commandId,
        view.operation(),
        view.agentId(),
        view.state() == CommandState.CANCELLED
            ? "cancelled"
            : "asked to cancel; the agent holds it");
    longPolls.fire(resultKey(view.agentId()));
    if (view.state() == CommandState.LEASED) {
      // The agent's waiting poll in this instance answers now and carries the request; elsewhere
      // the agent learns it at its next poll answer or heartbeat.
      longPolls.answerNow(view.agentId());
    }
    return view;
  }

  /**
   * Ends every waiting long poll at once (each answers what it has) and stops its threads and the
   * sweep of overdue commands.
   */
  @Override
  public void close() {
    longPolls.close();
    expiry.close();
  }

  private CommandView readView(String commandId) {
    Instant now = clock.instant();
    return database.inTransaction(
        "read a command",
        c -> {
          CommandRow row =
              commands
                  .find(c, commandId)
                  .orElseThrow(() -> ApiException.notFound("no command " + commandId));
          commands.expireOverdue(c, row.agentId(), now);
          return view(commands.find(c, commandId).orElseThrow());
        });
  }

  private Command command(CommandRow row) {
    return new Command(
        row.commandId(),
        row.operation(),
        json.read(row.paramsJson(), PARAMS),
        row.deadline(),
        row.leaseExpiresAt(),
        row.deliveries(),
        row.createdAt());
  }

  private CommandView view(CommandRow row) {
    return new CommandView(
        row.commandId(),
        row.agentId(),
        row.operation(),
        json.read(row.paramsJson(), PARAMS),
        CommandState.fromWire(row.state()),
        row.createdAt(),
        row.deadline(),
        row.leaseExpiresAt(),
        row.deliveries(),
        json.read(row.resultJson(), CommandResult.class),
        json.read(row.lateResultJson(), CommandResult.class),
        row.cancelRequestedAt());
  }

  private static String resultKey(String agentId) {
    return "results:" + agentId;
  }
}
