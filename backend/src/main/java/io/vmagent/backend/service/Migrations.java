package io.vmagent.backend.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.CommandRow;
import io.vmagent.backend.store.CommandStore;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.MigrationRow;
import io.vmagent.backend.store.MigrationStore;
import io.vmagent.backend.store.StorageException;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.MigrateRequest;
import io.vmagent.protocol.MigrationEndpoint;
import io.vmagent.protocol.MigrationView;
import io.vmagent.protocol.QueueCommandRequest;
import io.vmagent.protocol.text.Printable;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a VM from one agent's host to another's: reads the VM's definition on the source ({@code
 * info} with its XML), has the destination check it can take it ({@code migrate_prepare}), has the
 * source migrate it ({@code migrate}, with the destination's migration endpoint), then reads both
 * hosts ({@code info}) and records which agent holds the VM: from their reports, not from the
 * migration's result. Every step is a command whose id is written to the database before it is
 * queued, and background rounds move each migration on from what its commands answered: every half
 * second while one is under way, every 5 s while none is (a backend started again, or another
 * instance, continues within that), and at once when this process begins one.
 */
public final class Migrations implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {};
  private static final Duration BUSY_ROUND = Duration.ofMillis(500);
  private static final Duration IDLE_ROUND = Duration.ofSeconds(5);
  // The longest migrate waits before the agent starts it; the migration's own deadline follows.
  private static final int START_DEADLINE_SECONDS = 600;

  private final Database database;
  private final AgentStore agents;
  private final CommandStore commandStore;
  private final MigrationStore store = new MigrationStore();
  private final CommandService commands;
  private final JsonCodec json;
  private final Clock clock;
  // Drains' rounds run here too, after the migrations': one thread and one pace for moving VMs.
  private final Rounds rounds = new Rounds("migrations", BUSY_ROUND, IDLE_ROUND);

  public Migrations(
      Database database,
      AgentStore agents,
      CommandStore commandStore,
      CommandService commands,
      JsonCodec json,
      Clock clock) {
    this.database = database;
    this.agents = agents;
    this.commandStore = commandStore;
    this.commands = commands;
    this.json = json;
    this.clock = clock;
    rounds.add(this::round);
  }

  /** Starts the background rounds; migrations left unfinished by an earlier run continue. */
  public Migrations start() {
    rounds.wake();
    return this;
  }

  /** The rounds that move migrations on, which drains share. */
  Rounds rounds() {
    return rounds;
  }

  /**
   * Begins moving {@code vm} from {@code source} to {@code destination}.
   *
   * @param options {@code migrate} parameters passed through ({@link MigrateRequest#OPTIONS})
   * @throws ApiException {@code NOT_FOUND} for an unknown agent, {@code BAD_REQUEST} for the same
   *     agent twice, an unknown option or a destination that reports no migration endpoint
   */
  public MigrationView begin(
      String vm, String source, String destination, Map<String, String> options) {
    return begin(UUID.randomUUID().toString(), vm, source, destination, options);
  }

  /**
   * Begins moving {@code vm} under an id chosen beforehand (a drain records it first, so a backend
   * started again knows whether the migration began), as {@link #begin(String, String, String,
   * Map)} does; a destination being drained is refused with {@code AGENT_DRAINING}.
   */
  public MigrationView begin(
      String migrationId,
      String vm,
      String source,
      String destination,
      Map<String, String> options) {
    if (source.equals(destination)) {
      throw ApiException.badRequest("the source and the destination are the same agent");
    }
    checkOptions(options);
    Instant now = clock.instant();
    MigrationRow draft =
        new MigrationRow(
            migrationId,
            vm,
            source,
            destination,
            json.write(options),
            "inspecting",
            null,
            null,
            null,
            null,
            null,
            null,
            now,
            now);
    MigrationRow first = draft.step("inspecting", commandId(draft, "inspecting"), now);
    database.inTransaction(
        "begin a migration",
        c -> {
          // Locked in one order: the commands queued for either agent wait for this decision.
          for (String agent : new TreeSet<>(List.of(source, destination))) {
            if (agents.findForUpdate(c, agent).isEmpty()) {
              throw ApiException.notFound("no agent " + Printable.escape(agent));
            }
          }
          CommandService.refuseIfMigrating(store.busy(c, source, vm), vm, "");
          MigrationStore.Busy atDestination = store.busy(c, destination, vm);
          CommandService.refuseIfMigrating(atDestination, vm, "");
          if (store.endpoint(c, destination).isEmpty()) {
            throw ApiException.badRequest(
                "agent "
                    + Printable.escape(destination)
                    + " takes no migrations: it reported no migration URI (AGENT_MIGRATION_URI)");
          }
          if (atDestination.draining()) {
            throw new ApiException(
                ErrorCode.AGENT_DRAINING,
                "agent " + Printable.escape(destination) + " is being drained: it takes no VMs");
          }
          store.insert(c, first);
          return null;
        });
    LOG.info(
        "migration {} of VM {} from agent {} to agent {} begins",
        first.migrationId(),
        Printable.escape(vm),
        source,
        destination);
    queueStep(first);
    rounds.wake();
    return view(first.migrationId());
  }

  /**
   * Refuses options that are not {@code migrate} parameters an operator chooses.
   *
   * @throws ApiException {@code BAD_REQUEST} naming the unknown ones
   */
  static void checkOptions(Map<String, String> options) {
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(MigrateRequest.OPTIONS);
    if (!unknown.isEmpty()) {
      throw ApiException.badRequest(
          "unknown migration option(s) "
              + Printable.escape(String.join(", ", unknown))
              + "; allowed: "
              + new TreeSet<>(MigrateRequest.OPTIONS));
    }
  }

  /** The migration as it stands. */
  public MigrationView view(String migrationId) {
    return database
        .inTransaction("read a migration", c -> store.find(c, migrationId))
        .map(Migrations::view)
        .orElseThrow(() -> ApiException.notFound("no migration " + Printable.escape(migrationId)));
  }

  /** Moves every active migration on; true while any is under way (or the list is unreadable). */
  private boolean round() {
    List<MigrationRow> active;
    try {
      active = database.inTransaction("list active migrations", store::active);
    } catch (RuntimeException e) {
      LOG.warn("cannot read the active migrations: {}", e.getMessage());
      return true;
    }
    for (MigrationRow row : active) {
      try {
        advance(row);
      } catch (RuntimeException e) {
        LOG.warn("migration {} could not move on: {}", row.migrationId(), e.toString());
      }
    }
    return !active.isEmpty();
  }

  private void advance(MigrationRow row) {
    switch (row.state()) {
      case "inspecting" -> {
        Optional<CommandRow> info = finished(row, row.stepCommand());
        if (info.isEmpty()) {
          return;
        }
        if (xmlOf(info.get()) == null) {
          finish(row, "failed", null, "the source could not read the VM: " + failure(info.get()));
          return;
        }
        next(row, "preparing");
      }
      case "preparing" -> {
        Optional<CommandRow> prepare = finished(row, row.stepCommand());
        if (prepare.isEmpty()) {
          return;
        }
        if (!prepare.get().state().equals("succeeded")) {
          finish(
              row,
              "failed",
              row.sourceAgent(),
              "the destination refused the VM, which stays on the source: "
                  + failure(prepare.get()));
          return;
        }
        next(row, "migrating");
      }
      case "migrating" -> {
        if (finished(row, row.stepCommand()).isPresent()) {
          next(row, "checking");
        }
      }
      case "checking" -> check(row);
      case "cleaning" -> {
        Optional<CommandRow> delete = finished(row, row.stepCommand());
        if (delete.isEmpty()) {
          return;
        }
        if (delete.get().state().equals("succeeded")) {
          finish(
              row,
              "succeeded",
              row.destinationAgent(),
              "the VM runs on the destination; the source's agent stopped before libvirt confirmed"
                  + " the migration there, and the paused copy it left was destroyed and undefined"
                  + " (storage kept)");
        } else {
          finish(
              row,
              "conflict",
              row.destinationAgent(),
              "the VM runs on the destination, but the paused copy left on the source could not"
                  + " be removed: "
                  + failure(delete.get())
                  + "; remove it with 'op delete' on the source (storage kept by default)");
        }
      }
      default -> LOG.warn("migration {} in unknown state {}", row.migrationId(), row.state());
    }
  }

  /** Records which agent holds the VM, from both agents' {@code info}. */
  private void check(MigrationRow row) {
    Optional<CommandRow> onSource = finished(row, row.checkSourceCommand());
    Optional<CommandRow> onDestination = finished(row, row.checkDestinationCommand());
    if (onSource.isEmpty() || onDestination.isEmpty()) {
      return;
    }
    String sourceState = vmState(onSource.get());
    String destinationState = vmState(onDestination.get());
    CommandRow migrate = command(row.migrateCommand()).orElse(null);
    String migrateOutcome =
        migrate != null && migrate.state().equals("succeeded")
            ? "the migration succeeded"
            : "the migration failed: " + (migrate == null ? "never queued" : failure(migrate));
    String seen =
        " (source: "
            + (sourceState == null ? "no such VM" : sourceState)
            + ", destination: "
            + (destinationState == null ? "no such VM" : destinationState)
            + ")";
    boolean sourceActive = active(sourceState);
    boolean destinationActive = active(destinationState);
    if ("running".equals(destinationState) && "paused".equals(sourceState)) {
      // libvirt's confirm phase never ran on the source (its agent died after the destination's
      // finish): the copy paused there is stale, and would run the VM twice if resumed.
      LOG.warn(
          "migration {} of VM {}: the VM runs on agent {} and a paused copy is left on agent {};"
              + " removing that copy",
          row.migrationId(),
          Printable.escape(row.vm()),
          row.destinationAgent(),
          row.sourceAgent());
      next(row, "cleaning");
      return;
    }
    if (sourceActive && destinationActive) {
      finish(
          row,
          "conflict",
          destinationState.equals("running") ? row.destinationAgent() : row.sourceAgent(),
          "the VM is active on both hosts" + seen + "; " + migrateOutcome);
    } else if (destinationState != null && (destinationActive || sourceState == null)) {
      finish(row, "succeeded", row.destinationAgent(), migrateOutcome + seen);
    } else if (sourceState != null) {
      finish(
          row, "failed", row.sourceAgent(), migrateOutcome + "; the VM stays on the source" + seen);
    } else {
      finish(row, "failed", null, migrateOutcome + "; neither host reports the VM");
    }
  }

  private static boolean active(String state) {
    return state != null && !state.equals("shut_off") && !state.equals("undefined");
  }

  /** The VM's state in a finished {@code info}; null when the agent does not have it. */
  private String vmState(CommandRow info) {
    CommandResult result = result(info);
    if (result == null || result.result() == null) {
      return null;
    }
    JsonNode state = result.result().path("vm").path("state");
    return state.isTextual() ? state.asText() : null;
  }

  /** The domain XML in a finished {@code info} with {@code include_xml}, or null. */
  private String xmlOf(CommandRow info) {
    CommandResult result = result(info);
    return result == null || result.result() == null
        ? null
        : result.result().path("xml").asText(null);
  }

  /**
   * The command once it finished; empty while it waits or runs. A command the database does not
   * hold was never queued (the backend stopped between recording the step and queuing it): the
   * step's commands are queued now, under their recorded ids.
   */
  private Optional<CommandRow> finished(MigrationRow row, String commandId) {
    Optional<CommandRow> command = command(commandId);
    if (command.isEmpty()) {
      LOG.info("migration {}: queuing the commands of step {}", row.migrationId(), row.state());
      queueStep(row);
      return Optional.empty();
    }
    String state = command.get().state();
    return state.equals("queued") || state.equals("leased") ? Optional.empty() : command;
  }

  private Optional<CommandRow> command(String commandId) {
    return commandId == null
        ? Optional.empty()
        : database.inTransaction("read a command", c -> commandStore.find(c, commandId));
  }

  /** Moves the migration on to {@code state} and queues that step's commands. */
  private void next(MigrationRow row, String state) {
    Instant now = clock.instant();
    MigrationRow moved =
        state.equals("checking")
            ? row.checking(commandId(row, "check-source"), commandId(row, "check-destination"), now)
            : row.step(state, commandId(row, state), now);
    if (save(moved, row.state())) {
      LOG.info("migration {}: {}", row.migrationId(), state);
      queueStep(moved);
    }
  }

  /**
   * Queues the commands of the row's step, with parameters rebuilt from the database (the domain
   * XML from the source's finished {@code info}, the endpoint the destination reported), so that
   * queuing again after a restart sends the same command. An id already queued is skipped.
   */
  private void queueStep(MigrationRow row) {
    try {
      switch (row.state()) {
        case "inspecting" ->
            queue(
                row.stepCommand(),
                row.sourceAgent(),
                "info",
                Map.of("vm", row.vm(), "include_xml", "true"));
        case "preparing" -> {
          String xml = command(commandId(row, "inspecting")).map(this::xmlOf).orElse(null);
          if (xml == null) {
            finish(row, "failed", row.sourceAgent(), "the source's domain XML is gone");
            return;
          }
          Map<String, String> params = new LinkedHashMap<>();
          params.put("xml", xml);
          params.put("copy_storage", options(row).getOrDefault("copy_storage", "false"));
          queue(row.stepCommand(), row.destinationAgent(), "migrate_prepare", params);
        }
        case "migrating" -> {
          MigrationEndpoint endpoint =
              database
                  .inTransaction(
                      "read a migration endpoint", c -> store.endpoint(c, row.destinationAgent()))
                  .orElse(null);
          if (endpoint == null) {
            finish(
                row,
                "failed",
                row.sourceAgent(),
                "the destination no longer reports a migration URI; the VM stays on the source");
            return;
          }
          Map<String, String> params = new LinkedHashMap<>(options(row));
          params.put("vm", row.vm());
          params.put("destination_uri", endpoint.uri());
          if (endpoint.streamUri() != null) {
            params.put("migrate_uri", endpoint.streamUri());
          }
          queue(row.stepCommand(), row.sourceAgent(), "migrate", params);
        }
        case "checking" -> {
          queue(row.checkSourceCommand(), row.sourceAgent(), "info", Map.of("vm", row.vm()));
          queue(
              row.checkDestinationCommand(),
              row.destinationAgent(),
              "info",
              Map.of("vm", row.vm()));
        }
        case "cleaning" ->
            queue(
                row.stepCommand(),
                row.sourceAgent(),
                "delete",
                Map.of("vm", row.vm(), "remove_storage", "false"));
        default -> LOG.warn("migration {}: nothing to queue in {}", row.migrationId(), row.state());
      }
    } catch (ApiException e) {
      String refused = "a command of step " + row.state() + " was refused: " + e.getMessage();
      switch (row.state()) {
        case "checking" -> finish(row, "failed", null, refused);
        case "cleaning" ->
            finish(row, "conflict", row.destinationAgent(), refused + "; a paused copy is left");
        default -> finish(row, "failed", row.sourceAgent(), refused);
      }
    }
  }

  /** The id of a step's command: derived from the migration's, the same in every backend. */
  private static String commandId(MigrationRow row, String step) {
    return UUID.nameUUIDFromBytes((row.migrationId() + "/" + step).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  private void queue(String commandId, String agent, String operation, Map<String, String> params) {
    if (command(commandId).isPresent()) {
      return;
    }
    try {
      commands.queue(
          new QueueCommandRequest(
              agent,
              operation,
              params,
              operation.equals("migrate") ? START_DEADLINE_SECONDS : null),
          commandId);
    } catch (StorageException e) {
      if (!e.uniqueViolation()) {
        throw e;
      }
      // Another instance queued it under the same id first.
    }
  }

  private boolean save(MigrationRow row, String expectedState) {
    return database.inTransaction("advance a migration", c -> store.update(c, row, expectedState));
  }

  private void finish(MigrationRow row, String end, String holder, String message) {
    if (save(row.finished(end, holder, message, clock.instant()), row.state())) {
      LOG.info(
          "migration {} of VM {} {}: {}{}",
          row.migrationId(),
          Printable.escape(row.vm()),
          end,
          message,
          holder == null ? "" : "; held by agent " + holder);
    }
  }

  private Map<String, String> options(MigrationRow row) {
    return json.read(row.optionsJson(), STRINGS);
  }

  private CommandResult result(CommandRow command) {
    return command.resultJson() == null
        ? null
        : json.read(command.resultJson(), CommandResult.class);
  }

  private String failure(CommandRow command) {
    CommandResult result = result(command);
    if (result != null && result.error() != null) {
      return result.error().code().name() + ": " + result.error().message();
    }
    return "the command ended " + command.state();
  }

  private static MigrationView view(MigrationRow row) {
    return new MigrationView(
        row.migrationId(),
        row.vm(),
        row.sourceAgent(),
        row.destinationAgent(),
        row.state(),
        row.holder(),
        row.message(),
        row.createdAt(),
        row.updatedAt());
  }

  /** Stops the background rounds; unfinished migrations continue at the next start. */
  @Override
  public void close() {
    rounds.close();
  }
}
