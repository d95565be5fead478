package io.vmagent.backend.service;

import com.fasterxml.jackson.core.type.TypeReference;
import io.vmagent.backend.auth.AgentKeys;
import io.vmagent.backend.store.AgentRow;
import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.CommandStore;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.IdentityRow;
import io.vmagent.backend.store.IdentityStore;
import io.vmagent.backend.store.TelemetryStore;
import io.vmagent.backend.store.TokenStore;
import io.vmagent.backend.store.VmRow;
import io.vmagent.protocol.AgentList;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.Connectivity;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.HeartbeatResponse;
import io.vmagent.protocol.HypervisorFacts;
import io.vmagent.protocol.OperationCapability;
import io.vmagent.protocol.PrometheusTargetGroup;
import io.vmagent.protocol.StatusOverview;
import io.vmagent.protocol.VmInterface;
import io.vmagent.protocol.VmStates;
import io.vmagent.protocol.VmView;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats and what follows from them: each agent's status, online or offline (after missing
 * {@code offlineAfterMissed} heartbeat intervals), the fleet overview and the VM inventory.
 */
public final class AgentService {
  private static final Logger LOG = LoggerFactory.getLogger(AgentService.class);
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<List<OperationCapability>> OPERATIONS =
      new TypeReference<>() {};
  private static final TypeReference<List<VmInterface>> INTERFACES = new TypeReference<>() {};
  private static final long SUMMARY_NANOS = Duration.ofSeconds(1).toNanos();

  private final Database database;
  private final AgentStore agents;
  private final TokenStore tokens;
  private final IdentityStore identities;
  private final CommandStore commands;
  private final TelemetryStore telemetry;
  private final JsonCodec json;
  private final int offlineAfterMissed;
  private final String latestAgentVersion;
  private final String backendVersion;
  private final Clock clock;
  private final ReentrantLock summaryLock = new ReentrantLock();
  private volatile Summary summary;

  /** A service over these stores. */
  public AgentService(
      Database database,
      AgentStore agents,
      TokenStore tokens,
      IdentityStore identities,
      CommandStore commands,
      TelemetryStore telemetry,
      JsonCodec json,
      int offlineAfterMissed,
      String latestAgentVersion,
      String backendVersion,
      Clock clock) {
    this.database = database;
    this.agents = agents;
    this.tokens = tokens;
    this.identities = identities;
    this.commands = commands;
    this.telemetry = telemetry;
    this.json = json;
    this.offlineAfterMissed = offlineAfterMissed;
    this.latestAgentVersion = latestAgentVersion;
    this.backendVersion = backendVersion;
    this.clock = clock;
  }

  /** Records a heartbeat (and the VM inventory when it carries one). */
  public HeartbeatResponse heartbeat(String agentId, HeartbeatRequest request) {
    Instant now = clock.instant();
    HeartbeatRequest stored = withoutInventory(request);
    AgentStore.Heartbeat beat =
        new AgentStore.Heartbeat(
            now,
            json.write(stored),
            request.versions().agent(),
            request.heartbeatIntervalSeconds(),
            request.status() == HealthStatus.STOPPING,
            request.protocolVersion(),
            request.operations() == null
                ? null
                : json.write(Capabilities.names(List.of(), request.operations())),
            request.operations() == null ? null : json.write(request.operations()));
    AgentStore.BeforeHeartbeat before =
        database.inTransaction(
            "record a heartbeat",
            c -> {
              AgentStore.BeforeHeartbeat found =
                  agents.beforeHeartbeat(c, agentId, now).orElseThrow();
              agents.recordHeartbeat(c, agentId, beat);
              if (request.vms() != null) {
                telemetry.replaceInventory(c, agentId, inventory(agentId, request, now));
              }
              return found;
            });
    boolean wasOffline = connectivity(before.agent(), now) == Connectivity.OFFLINE;
    // The protocol this heartbeat names, else the one stored: cancel requests go to an agent that
    // reads them only.
    Integer protocol =
        request.protocolVersion() != null ? request.protocolVersion() : before.protocolVersion();
    List<String> cancelRequested =
        CommandBatch.toldOfCancelRequests(protocol) ? before.cancelRequested() : List.of();
    int pending = before.leasable();
    if (request.status() == HealthStatus.STOPPING) {
      LOG.info("agent {} is shutting down: offline until its next heartbeat", agentId);
    } else if (wasOffline) {
      LOG.info("agent {} is online again", agentId);
    }
    return new HeartbeatResponse(
        now, pending, latestAgentVersion, cancelRequested.isEmpty() ? null : cancelRequested);
  }

  /** The heartbeat as stored: the VMs go to the inventory, the operations to the agent's row. */
  private static HeartbeatRequest withoutInventory(HeartbeatRequest request) {
    return request.withVms(null);
  }

  private static List<VmRow> inventory(String agentId, HeartbeatRequest request, Instant now) {
    List<VmRow> vms = new ArrayList<>();
    for (var vm : request.vms()) {
      // An agent before protocol 3 spells shut_off as shutoff: stored in the one spelling.
      vms.add(new VmRow(agentId, vm.name(), vm.uuid(), VmStates.current(vm.state()), now));
    }
    return dedupeByName(vms);
  }

  private static List<VmRow> dedupeByName(List<VmRow> vms) {
    java.util.LinkedHashMap<String, VmRow> byName = new java.util.LinkedHashMap<>();
    vms.forEach(vm -> byName.put(vm.name(), vm));
    return new ArrayList<>(byName.values());
  }

  /**
   * Online unless the agent missed {@code offlineAfterMissed} heartbeat intervals or its last
   * heartbeat said it was shutting down.
   */
  public Connectivity connectivity(AgentRow agent, Instant now) {
    if (agent.revoked()) {
      return Connectivity.REVOKED;
    }
    if (agent.stopped()) {
      return Connectivity.OFFLINE;
    }
    Instant last = agent.lastHeartbeatAt() != null ? agent.lastHeartbeatAt() : agent.registeredAt();
    Duration allowed =
        Duration.ofSeconds(agent.heartbeatIntervalSeconds()).multipliedBy(offlineAfterMissed);
    return now.isAfter(last.plus(allowed)) ? Connectivity.OFFLINE : Connectivity.ONLINE;
  }

  /**
   * An agent's connectivity and when it was last heard from, as one cheap query answers it.
   *
   * @param agentId the agent
   * @param connectivity online, offline or revoked
   * @param lastSeen its last heartbeat, or its registration before the first
   * @param intervalSeconds its heartbeat interval
   * @param stopped whether its last heartbeat said it was shutting down
   */
  public record Liveness(
      String agentId,
      Connectivity connectivity,
      Instant lastSeen,
      int intervalSeconds,
      boolean stopped) {}

  /** Every agent's connectivity, from the agents table alone. */
  public List<Liveness> liveness() {
    Instant now = clock.instant();
    return database.inTransaction(
        "check connectivity",
        c -> {
          List<Liveness> all = new ArrayList<>();
          for (AgentRow agent : agents.list(c)) {
            all.add(
                new Liveness(
                    agent.agentId(),
                    connectivity(agent, now),
                    agent.lastHeartbeatAt() != null
                        ? agent.lastHeartbeatAt()
                        : agent.registeredAt(),
                    agent.heartbeatIntervalSeconds(),
                    agent.stopped()));
          }
          return all;
        });
  }

  /** One agent's status; 404 when it is not registered. */
  public AgentStatus status(String agentId) {
    Instant now = clock.instant();
    return database.inTransaction(
        "read an agent",
        c ->
            status(
                c,
                agents
                    .find(c, agentId)
                    .orElseThrow(() -> ApiException.notFound("no agent " + agentId)),
                now));
  }

  /** Every agent's status, ordered by id. */
  public List<AgentStatus> list() {
    Instant now = clock.instant();
    return database.inTransaction(
        "list agents",
        c -> {
          List<AgentStatus> statuses = new ArrayList<>();
          for (AgentRow agent : agents.list(c)) {
            statuses.add(status(c, agent, now));
          }
          return statuses;
        });
  }

  /**
   * Revokes the agent: its tokens and certificates stop working at once and it cannot register
   * again. Unless {@code keepToken}, the bootstrap token it registered with is revoked too: the
   * revoked host must be assumed to hold it and could otherwise come back under another id, while
   * agents already registered with it keep working (their key is their credential).
   */
  public AgentStatus revoke(String agentId, boolean keepToken) {
    Instant now = clock.instant();
    String[] revokedToken = new String[1];
    AgentStatus status =
        database.inTransaction(
            "revoke an agent",
            c -> {
              if (!agents.revoke(c, agentId, now)) {
                throw ApiException.notFound("no agent " + agentId);
              }
              tokens.revokeFamiliesOf(c, agentId, "agent-revoked", now);
              String tokenId =
                  identities.find(c, agentId).map(IdentityRow::bootstrapTokenId).orElse(null);
              if (!keepToken && tokenId != null && tokens.revokeBootstrap(c, tokenId)) {
                revokedToken[0] = tokenId;
              }
              return status(c, agents.find(c, agentId).orElseThrow(), now);
            });
    if (revokedToken[0] != null) {
      LOG.info(
          "agent {} revoked, and the bootstrap token {} it registered with",
          agentId,
          revokedToken[0]);
    } else {
      LOG.info("agent {} revoked (its bootstrap token is kept or unknown)", agentId);
    }
    return status;
  }

  /** Up to {@code limit} agents with ids after {@code after}, and the cursor of the next page. */
  public AgentList page(String after, int limit) {
    Instant now = clock.instant();
    return database.inTransaction(
        "list agents",
        c -> {
          // One more than asked tells whether another page follows, without counting.
          List<AgentRow> rows = agents.page(c, after, limit + 1);
          List<AgentStatus> statuses = new ArrayList<>();
          for (AgentRow agent : rows.subList(0, Math.min(limit, rows.size()))) {
            statuses.add(status(c, agent, now));
          }
          String next = rows.size() > limit ? statuses.get(limit - 1).agentId() : null;
          return new AgentList(statuses, next);
        });
  }

  /** Online and offline counts, and when they were counted ({@link System#nanoTime()}). */
  private record Summary(AgentStore.Counts counts, long countedAt) {
    boolean fresh() {
      return System.nanoTime() - countedAt < SUMMARY_NANOS;
    }
  }

  /**
   * The fleet overview; the agent list only when {@code withAgents}. Without it, anyone may ask, so
   * the answer costs neither a row per agent nor a query per request: the database counts at most
   * once a second, and callers meanwhile (or while a count runs) get the last count.
   */
  public StatusOverview overview(boolean withAgents) {
    if (!withAgents) {
      AgentStore.Counts counts = counts();
      return new StatusOverview(
          clock.instant(),
          backendVersion,
          counts.online() + counts.offline(),
          counts.online(),
          counts.offline(),
          null);
    }
    List<AgentStatus> all = list();
    int online = 0;
    int offline = 0;
    for (AgentStatus agent : all) {
      if (agent.connectivity() == Connectivity.ONLINE) {
        online++;
      } else if (agent.connectivity() == Connectivity.OFFLINE) {
        offline++;
      }
    }
    return new StatusOverview(
        clock.instant(), backendVersion, online + offline, online, offline, all);
  }

  private AgentStore.Counts counts() {
    Summary last = summary;
    if (last != null && last.fresh()) {
      return last.counts();
    }
    if (last != null) {
      if (!summaryLock.tryLock()) {
        return last.counts(); // another request is counting now
      }
    } else {
      summaryLock.lock();
    }
    try {
      last = summary;
      if (last != null && last.fresh()) {
        return last.counts();
      }
      Instant now = clock.instant();
      AgentStore.Counts counts =
          database.inTransaction(
              "count agents", c -> agents.countByConnectivity(c, now, offlineAfterMissed));
      summary = new Summary(counts, System.nanoTime());
      return counts;
    } finally {
      summaryLock.unlock();
    }
  }

  /** VMs as last reported; {@code agentId} null means every agent's. */
  public List<VmView> vms(String agentId) {
    Instant now = clock.instant();
    return database.inTransaction(
        "list VMs",
        c -> {
          Map<String, Connectivity> connectivity = new HashMap<>();
          List<VmView> views = new ArrayList<>();
          for (VmRow vm : telemetry.listVms(c, agentId)) {
            if (!connectivity.containsKey(vm.agentId())) {
              connectivity.put(
                  vm.agentId(),
                  agents.find(c, vm.agentId()).map(a -> connectivity(a, now)).orElse(null));
            }
            Connectivity agent = connectivity.get(vm.agentId());
            views.add(
                new VmView(
                    vm.agentId(),
                    vm.name(),
                    vm.uuid(),
                    vm.state(),
                    vm.reportedAt(),
                    json.read(vm.interfacesJson(), INTERFACES),
                    vm.addressesReportedAt(),
                    agent));
          }
          return views;
        });
  }

  private AgentStatus status(Connection c, AgentRow agent, Instant now) throws SQLException {
    HeartbeatRequest last = json.read(agent.heartbeatJson(), HeartbeatRequest.class);
    int vmCount = telemetry.countVms(c, agent.agentId());
    Optional<IdentityRow> identity = identities.find(c, agent.agentId());
    return new AgentStatus(
        agent.agentId(),
        agent.name(),
        agent.hostname(),
        agent.agentVersion(),
        agent.libvirtUri(),
        json.read(agent.hypervisorJson(), HypervisorFacts.class),
        json.read(agent.capabilitiesJson(), STRINGS),
        connectivity(agent, now),
        agent.registeredAt(),
        agent.lastHeartbeatAt(),
        agent.heartbeatIntervalSeconds(),
        last == null ? null : last.status(),
        last == null ? List.of() : last.reasons(),
        last == null ? null : last.uptimeSeconds(),
        last == null ? null : last.versions(),
        last == null ? null : last.libvirt(),
        last == null ? null : last.spoolDepth(),
        last == null ? null : last.sslVerify(),
        last == null ? List.of() : last.warnings(),
        last == null ? null : last.newestKnownVersion(),
        commands.countUnfinished(c, agent.agentId(), now),
        last == null && vmCount == 0 ? null : vmCount,
        identity.map(IdentityRow::publicKey).map(AgentKeys::fingerprint).orElse(null),
        identity.map(IdentityRow::releasedAt).orElse(null),
        json.read(agent.operationsJson(), OPERATIONS),
        last == null ? null : last.clockOffsetMs(),
        last == null ? null : last.clockSynchronized());
  }

  /**
   * Prometheus service discovery: one target group per agent that is not revoked and whose last
   * heartbeat named a Prometheus endpoint reachable from elsewhere (a loopback one is left out; a
   * wildcard one is listed under the agent's host name), ordered by agent id.
   */
  public List<PrometheusTargetGroup> prometheusTargets() {
    return database.inTransaction(
        "list Prometheus targets",
        c -> {
          List<PrometheusTargetGroup> groups = new ArrayList<>();
          for (AgentRow agent : agents.list(c)) {
            if (agent.revokedAt() != null || agent.heartbeatJson() == null) {
              continue;
            }
            HeartbeatRequest last = json.read(agent.heartbeatJson(), HeartbeatRequest.class);
            String target = PrometheusTarget.of(last.prometheusEndpoint(), agent.hostname());
            if (target != null) {
              groups.add(
                  new PrometheusTargetGroup(
                      List.of(target),
                      Map.of(
                          "agent_id", agent.agentId(),
                          "agent_name", agent.name(),
                          "host", agent.hostname())));
            }
          }
          return groups;
        });
  }
}
