package io.vmagent.backend.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.vmagent.backend.store.AgentRow;
import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.DrainStore;
import io.vmagent.backend.store.MigrationRow;
import io.vmagent.backend.store.MigrationStore;
import io.vmagent.backend.store.TelemetryStore;
import io.vmagent.backend.store.VmRow;
import io.vmagent.protocol.Connectivity;
import io.vmagent.protocol.DrainMove;
import io.vmagent.protocol.DrainRequest;
import io.vmagent.protocol.DrainView;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.text.Printable;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empties an agent's host: every VM running there when the drain begins moves to another agent's
 * host through {@link Migrations}, at most {@code parallel} at a time, each to the named agent or
 * to the online agent with the most free memory (from its last metrics) that takes migrations. The
 * drain and each move's migration id are in the database, and the migrations' background rounds
 * start the next moves (every half second while a move waits or runs, every 5 s otherwise, at once
 * when a drain begins), so a backend started again continues the drain. While it lasts, {@link
 * CommandService} queues nothing for the agent but the migrations' own commands.
 */
public final class Drains implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Drains.class);
  private static final int MAX_PARALLEL = 4;
  private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {};
  private static final String AVAILABLE_MEMORY = "/system/memory/available_bytes";

  private final Database database;
  private final AgentStore agents;
  private final TelemetryStore telemetry;
  private final DrainStore store = new DrainStore();
  private final MigrationStore migrationStore = new MigrationStore();
  private final AgentService agentService;
  private final Migrations migrations;
  private final JsonCodec json;
  private final Clock clock;

  public Drains(
      Database database,
      AgentStore agents,
      TelemetryStore telemetry,
      AgentService agentService,
      Migrations migrations,
      JsonCodec json,
      Clock clock) {
    this.database = database;
    this.agents = agents;
    this.telemetry = telemetry;
    this.agentService = agentService;
    this.migrations = migrations;
    this.json = json;
    this.clock = clock;
  }

  /** Joins the migrations' background rounds; drains left unfinished by an earlier run continue. */
  public Drains start() {
    migrations.rounds().add(this::round);
    migrations.rounds().wake();
    return this;
  }

  /**
   * Begins draining the agent: one move per VM its last inventory reports running.
   *
   * @param startedBy the name in the operator's client certificate; null without one
   * @throws ApiException {@code NOT_FOUND} for an unknown agent, {@code BAD_REQUEST} for a bad
   *     {@code parallel}, an unknown option or a {@code to} that is the agent itself or takes no
   *     migrations, {@code CONFLICT} when the agent is already being drained
   */
  public DrainView begin(String agentId, DrainRequest request, String startedBy) {
    int parallel = request.parallel() == null ? 1 : request.parallel();
    if (parallel < 1 || parallel > MAX_PARALLEL) {
      throw ApiException.badRequest("parallel must be 1 to " + MAX_PARALLEL + ", not " + parallel);
    }
    String to = request.to();
    Migrations.checkOptions(request.options());
    String options = json.write(request.options());
    Instant now = clock.instant();
    database.inTransaction(
        "begin a drain",
        c -> {
          if (agents.find(c, agentId).isEmpty()) {
            throw ApiException.notFound("no agent " + Printable.escape(agentId));
          }
          if (to != null) {
            checkDestination(c, agentId, to);
          }
          if (store.draining(c, agentId)) {
            throw new ApiException(
                ErrorCode.CONFLICT,
                "agent " + Printable.escape(agentId) + " is already being drained");
          }
          List<String> running =
              telemetry.listVms(c, agentId).stream()
                  .filter(vm -> "running".equals(vm.state()))
                  .map(VmRow::name)
                  .toList();
          store.insert(
              c, new DrainStore.Drain(agentId, to, parallel, now, startedBy, options), running);
          return null;
        });
    LOG.info(
        "drain of agent {} begins{}",
        Printable.escape(agentId),
        to == null ? "" : " towards agent " + Printable.escape(to));
    migrations.rounds().wake();
    return view(agentId);
  }

  private void checkDestination(Connection c, String agentId, String to) throws SQLException {
    if (to.equals(agentId)) {
      throw ApiException.badRequest("a drain cannot move VMs to the drained agent itself");
    }
    if (agents.find(c, to).isEmpty()) {
      throw ApiException.notFound("no agent " + Printable.escape(to));
    }
    if (migrationStore.endpoint(c, to).isEmpty()) {
      throw ApiException.badRequest(
          "agent "
              + Printable.escape(to)
              + " takes no migrations: it reported no migration URI (AGENT_MIGRATION_URI)");
    }
    if (store.draining(c, to)) {
      throw new ApiException(
          ErrorCode.AGENT_DRAINING, "agent " + Printable.escape(to) + " is being drained itself");
    }
  }

  /** The agent's drain as it stands. */
  public DrainView view(String agentId) {
    return database.inTransaction(
        "read a drain",
        c -> {
          DrainStore.Drain drain =
              store
                  .find(c, agentId)
                  .orElseThrow(
                      () ->
                          ApiException.notFound(
                              "agent " + Printable.escape(agentId) + " is not being drained"));
          List<DrainMove> moves = new ArrayList<>();
          for (DrainStore.Move move : store.moves(c, agentId)) {
            moves.add(move(move, migration(c, move)));
          }
          boolean done = moves.stream().allMatch(Drains::ended);
          return new DrainView(
              drain.agentId(),
              drain.to(),
              drain.parallel(),
              drain.startedAt(),
              drain.startedBy(),
              done,
              moves);
        });
  }

  /** Ends the agent's drain: it takes commands again. Moves under way go on to their end. */
  public DrainView end(String agentId) {
    DrainView last = view(agentId);
    database.inTransaction("end a drain", c -> store.delete(c, agentId));
    LOG.info("drain of agent {} ended", Printable.escape(agentId));
    return last;
  }

  private static boolean ended(DrainMove move) {
    return switch (move.state()) {
      case "succeeded", "failed", "conflict" -> true;
      default -> false;
    };
  }

  private static DrainMove move(DrainStore.Move move, Optional<MigrationRow> migration) {
    String state;
    String message = move.message();
    if (move.migrationId() == null) {
      state = message == null ? "waiting" : "failed";
    } else if (migration.isPresent()) {
      state = migration.get().state();
      message = migration.get().message();
    } else {
      state = "starting";
    }
    return new DrainMove(move.vm(), move.destinationAgent(), move.migrationId(), state, message);
  }

  private Optional<MigrationRow> migration(Connection c, DrainStore.Move move) throws SQLException {
    return move.migrationId() == null
        ? Optional.empty()
        : migrationStore.find(c, move.migrationId());
  }

  /**
   * Moves every drain on; true while a move of any waits or runs (or the drains are unreadable). A
   * drain whose moves all ended has nothing left to do until an operator ends it.
   */
  private boolean round() {
    List<DrainStore.Drain> drains;
    try {
      drains = database.inTransaction("list drains", store::list);
    } catch (RuntimeException e) {
      LOG.warn("cannot read the drains: {}", e.getMessage());
      return true;
    }
    boolean pending = false;
    for (DrainStore.Drain drain : drains) {
      try {
        pending |= advance(drain);
      } catch (RuntimeException e) {
        LOG.warn("drain of agent {} could not move on: {}", drain.agentId(), e.toString());
        pending = true;
      }
    }
    return pending;
  }

  /**
   * Begins the migrations recorded but not begun, then starts waiting moves up to the limit; true
   * while a move has not ended.
   */
  private boolean advance(DrainStore.Drain drain) {
    List<DrainMove> moves = view(drain.agentId()).moves();
    if (moves.stream().allMatch(Drains::ended)) {
      return false;
    }
    int underWay = 0;
    for (DrainMove move : moves) {
      if (move.state().equals("starting")) {
        beginMigration(drain, move.vm(), move.destinationAgent(), move.migrationId());
      }
      if (!ended(move) && !move.state().equals("waiting")) {
        underWay++;
      }
    }
    for (DrainMove move : moves) {
      if (underWay >= drain.parallel()) {
        break;
      }
      if (move.state().equals("waiting") && startMove(drain, move.vm())) {
        underWay++;
      }
    }
    return true;
  }

  /** Picks the move's destination and begins its migration; false when it could not start. */
  private boolean startMove(DrainStore.Drain drain, String vm) {
    String destination =
        drain.to() != null
            ? drain.to()
            : database.inTransaction("pick a destination", c -> roomiest(c, drain.agentId()));
    if (destination == null) {
      fail(drain, vm, "no other online agent that takes migrations");
      return false;
    }
    String migrationId =
        UUID.nameUUIDFromBytes(
                (drain.agentId() + "/" + drain.startedAt() + "/" + vm)
                    .getBytes(StandardCharsets.UTF_8))
            .toString();
    boolean recorded =
        database.inTransaction(
            "start a drain move",
            c -> store.start(c, drain.agentId(), vm, destination, migrationId));
    return recorded && beginMigration(drain, vm, destination, migrationId);
  }

  private boolean beginMigration(
      DrainStore.Drain drain, String vm, String destination, String migrationId) {
    try {
      migrations.begin(
          migrationId, vm, drain.agentId(), destination, json.read(drain.optionsJson(), STRINGS));
      LOG.info(
          "drain of agent {}: VM {} moves to agent {} (migration {})",
          drain.agentId(),
          Printable.escape(vm),
          destination,
          migrationId);
      return true;
    } catch (ApiException e) {
      // The migration was refused before it began: the move fails with its reason.
      fail(drain, vm, "the migration was refused: " + e.getMessage());
      return false;
    }
  }

  private void fail(DrainStore.Drain drain, String vm, String why) {
    database.inTransaction(
        "fail a drain move",
        c -> {
          store.fail(c, drain.agentId(), vm, why);
          return null;
        });
    LOG.warn(
        "drain of agent {}: VM {} cannot move: {}", drain.agentId(), Printable.escape(vm), why);
  }

  /**
   * The online agent other than {@code source}, not itself draining, that takes migrations and
   * reported the most available memory in its last metrics; null when there is none.
   */
  private String roomiest(Connection c, String source) throws SQLException {
    Instant now = clock.instant();
    List<Candidate> candidates = new ArrayList<>();
    for (AgentRow agent : agents.list(c)) {
      if (agent.agentId().equals(source)
          || agentService.connectivity(agent, now) != Connectivity.ONLINE
          || migrationStore.endpoint(c, agent.agentId()).isEmpty()
          || store.draining(c, agent.agentId())) {
        continue;
      }
      candidates.add(new Candidate(agent.agentId(), availableMemory(c, agent.agentId(), now)));
    }
    return candidates.stream()
        .max(
            Comparator.comparingLong(Candidate::availableBytes)
                .thenComparing(Candidate::agentId, Comparator.reverseOrder()))
        .map(Candidate::agentId)
        .orElse(null);
  }

  private record Candidate(String agentId, long availableBytes) {}

  /** The available memory in the agent's last metrics sample; 0 when it sent none. */
  private long availableMemory(Connection c, String agentId, Instant now) throws SQLException {
    Instant last = telemetry.previousSampleTime(c, agentId, now.plusSeconds(3600));
    String snapshot = last == null ? null : telemetry.sampleJson(c, agentId, last);
    if (snapshot == null) {
      return 0;
    }
    JsonNode available = json.read(snapshot, JsonNode.class).at(AVAILABLE_MEMORY);
    return available.isNumber() ? available.asLong() : 0;
  }

  /**
   * Stops the background rounds, which the migrations share; unfinished drains continue at the next
   * start.
   */
  @Override
  public void close() {
    migrations.rounds().close();
  }
}
