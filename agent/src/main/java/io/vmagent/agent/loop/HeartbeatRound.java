package io.vmagent.agent.loop;

import io.vmagent.agent.backend.BackendClient;
import io.vmagent.agent.metrics.prometheus.AgentHealthMetrics;
import io.vmagent.agent.spool.Spool;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.HeartbeatResponse;
import io.vmagent.protocol.OperationCapability;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.VmStates;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One heartbeat: the spool's size to the health metrics, the report to the backend, its answer. */
public final class HeartbeatRound implements PeriodicLoop.Round {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatRound.class);

  private final BackendClient client;
  private final HeartbeatReporter reporter;
  private final AgentHealthMetrics health;
  private final BackendContact contact;
  private final VersionWatch versions;
  private final List<Spool> spools;
  private final IntConsumer commandsPending;
  private final Consumer<List<String>> cancelRequested;
  private final List<OperationCapability> operations;
  // Whether this run of the agent has told the backend its operations yet.
  private boolean announced;

  /**
   * @param commandsPending told the number of waiting commands when a heartbeat reports any
   * @param cancelRequested told the ids of the commands an operator asked to cancel, when an answer
   *     names any (protocol 4)
   * @param operations what this agent runs, told to the backend in the first heartbeat of a run
   */
  public HeartbeatRound(
      BackendClient client,
      HeartbeatReporter reporter,
      AgentHealthMetrics health,
      BackendContact contact,
      VersionWatch versions,
      List<Spool> spools,
      IntConsumer commandsPending,
      Consumer<List<String>> cancelRequested,
      List<OperationCapability> operations) {
    this.client = client;
    this.reporter = reporter;
    this.health = health;
    this.contact = contact;
    this.versions = versions;
    this.spools = List.copyOf(spools);
    this.commandsPending = commandsPending;
    this.cancelRequested = cancelRequested;
    this.operations = List.copyOf(operations);
  }

  @Override
  public void run() throws IOException {
    health.spoolSize(
        spools.stream().mapToLong(Spool::depth).sum(),
        spools.stream().mapToLong(Spool::bytes).sum());
    HeartbeatResponse response;
    HeartbeatRequest beat = reporter.build(false);
    // The first heartbeat after each start tells a backend of protocol 3 every operation this
    // agent runs, so an upgraded agent's new operations are known without a new registration.
    boolean announcing = !announced && client.session().protocol() >= 3;
    if (announcing) {
      // With the protocol version (sent to a backend of 4 and newer only), so an agent upgraded in
      // place is told of cancel requests without registering again.
      beat = beat.withOperations(operations).withProtocolVersion(ProtocolPaths.PROTOCOL_VERSION);
    }
    try {
      response = client.heartbeat(forBackend(beat));
    } catch (IOException e) {
      health.heartbeatFailed();
      throw e;
    }
    health.heartbeatSent();
    announced |= announcing;
    contact.contact(true);
    log.info(
        "heartbeat sent as agent {} ({} commands pending)",
        client.session().agentId().orElse("?"),
        response.commandsPending());
    if (response.commandsPending() > 0) {
      commandsPending.accept(response.commandsPending());
    }
    if (response.cancelRequested() != null) {
      cancelRequested.accept(response.cancelRequested());
    }
    if (response.latestAgentVersion() != null) {
      versions.note(response.latestAgentVersion());
    }
  }

  /** The heartbeat with its VM states spelled as the backend's protocol version does. */
  private HeartbeatRequest forBackend(HeartbeatRequest request) throws IOException {
    if (!VmStates.spelledDifferently(request.vms())) {
      return request;
    }
    return request.withVms(VmStates.forProtocol(request.vms(), client.session().protocolVersion()));
  }

  /** The heartbeat at shutdown, bounded by {@code timeout}, saying the agent goes offline. */
  public void last(Duration timeout) {
    try {
      client.lastHeartbeat(forBackend(reporter.build(true)), timeout);
      log.info("last heartbeat sent: going offline");
    } catch (IOException e) {
      log.warn("last heartbeat not sent: {}", e.getMessage());
    }
  }
}
