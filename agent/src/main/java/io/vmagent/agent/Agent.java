package io.vmagent.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vmagent.agent.backend.BackendClient;
import io.vmagent.agent.backend.CredentialsStore;
import io.vmagent.agent.backend.Enrollment;
import io.vmagent.agent.backend.HttpTransport;
import io.vmagent.agent.backend.Session;
import io.vmagent.agent.backend.TlsSettings;
import io.vmagent.agent.command.CommandDispatcher;
import io.vmagent.agent.command.CommandJournal;
import io.vmagent.agent.command.ResultOutbox;
import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.health.HealthCheck;
import io.vmagent.agent.health.HostResources;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.Subscription;
import io.vmagent.agent.libvirt.VmOperations;
import io.vmagent.agent.loop.AgentIdentity;
import io.vmagent.agent.loop.AgentInfo;
import io.vmagent.agent.loop.BackendContact;
import io.vmagent.agent.loop.EventForwarder;
import io.vmagent.agent.loop.EventSequence;
import io.vmagent.agent.loop.Lifecycle;
import io.vmagent.agent.loop.Loops;
import io.vmagent.agent.loop.MetricsTick;
import io.vmagent.agent.metrics.prometheus.AgentHealthMetrics;
import io.vmagent.agent.operation.OperationRegistry;
import io.vmagent.agent.spool.DurableQueue;
import io.vmagent.agent.spool.Spool;
import io.vmagent.agent.state.StateDir;
import io.vmagent.agent.util.AgentVersion;
import io.vmagent.protocol.CommandResult;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon: builds every part with plain constructors; {@link Lifecycle} runs them. */
public final class Agent {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  private final AgentConfig config;
  private final LibvirtConnectionManager libvirt;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final BackendContact contact = new BackendContact();
  private final AgentHealthMetrics health = new AgentHealthMetrics(registry, contact::secondsSince);
  private final HttpTransport transport;
  private final CommandDispatcher dispatcher;
  private final ResultOutbox outbox;
  private final Spool events;
  private final MetricsTick metricsTick;
  private final EventForwarder forwarder;
  private final AgentInfo info;
  private final Lifecycle lifecycle;

  /** Builds every part; nothing runs until {@link #start()}. */
  public Agent(AgentConfig config) throws IOException {
    this.config = config;
    StateDir stateDir = StateDir.restricted(config.stateDir());
    this.libvirt = new LibvirtConnectionManager(config.libvirtUri(), config.libvirtTimeout());
    TlsSettings tls = TlsSettings.of(config);
    this.transport = HttpTransport.of(config, tls);
    VmOperations vmOperations =
        new VmOperations(
            libvirt, config.stopTimeout(), Loops.COMMAND_WORKERS, config.defineAllowedPaths());
    this.metricsTick = new MetricsTick(libvirt, config.libvirtTimeout());
    OperationRegistry operations =
        OperationRegistry.of(
            vmOperations.operations(),
            metricsTick.operation(),
            AgentInfo.operation(this::agentInfo),
            new HealthCheck(
                    libvirt,
                    new HostResources(
                        config.stateDir(),
                        config.resourceThresholds(),
                        libvirt,
                        config.libvirtTimeout()))
                .operation());
    CommandJournal journal = new CommandJournal(stateDir);
    this.dispatcher = new CommandDispatcher(operations, journal, Clock.systemUTC());
    config.prometheusListen().ifPresent(listen -> dispatcher.onFinished(health::commandFinished));
    Session session =
        new Session(
            transport,
            new CredentialsStore(stateDir.root()),
            config.token(),
            config.autoRegister(),
            new AgentIdentity(config, libvirt, operations::versions),
            new Enrollment(stateDir.root(), tls, transport, Clock.systemUTC()),
            Clock.systemUTC());
    BackendClient client = new BackendClient(transport, session);
    this.outbox =
        new ResultOutbox(
            journal, queue(stateDir, "results", 4 << 20, 0), client::submitResult, contact);
    this.events =
        new Spool(
            queue(stateDir, "events", 4 << 20, 0),
            500,
            EventForwarder.GATHER,
            EventForwarder.delivery(client),
            contact);
    long metricsMax = config.metricsSpoolMaxBytes();
    Spool metrics =
        new Spool(
            queue(stateDir, "metrics", Math.max(64 << 10, metricsMax / 8), metricsMax),
            10,
            Duration.ZERO,
            MetricsTick.delivery(client),
            contact);
    this.forwarder =
        new EventForwarder(
            new EventSequence(stateDir.root()), events, session.clockOffset()::current);
    List<Spool> spools = List.of(outbox.spool(), events, metrics);
    Loops loops =
        new Loops(
            config,
            libvirt,
            client,
            dispatcher,
            outbox::accept,
            metricsTick,
            spools,
            health,
            contact);
    this.info =
        new AgentInfo(
            config, libvirt, session::agentId, loops, spools, dispatcher::runningCount, contact);
    this.lifecycle =
        new Lifecycle(
            config.shutdownTimeout(),
            loops,
            spools,
            dispatcher::runningCount,
            List.of(transport, vmOperations, libvirt));
  }

  /** Connects to libvirt, recovers the journal and spool, and starts every loop. */
  public void start() throws IOException {
    log.info(
        "vm-agent {} starting: agent id {}, backend {}, libvirt {}, state {}",
        AgentVersion.current(),
        config.agentId().orElse("?"),
        transport.baseUrl(),
        config.libvirtUri(),
        config.stateDir());
    if (!config.sslVerify()) {
      log.warn(
          "AGENT_SSL_VERIFY=false: the backend's certificate is NOT verified; use only for"
              + " testing");
    }
    Session.cannotRegister(config.token(), config.autoRegister(), config.stateDir())
        .ifPresent(why -> log.warn("{}; it retries at its backoff pace", why));
    libvirt.onStateChange(health::libvirtConnectionState);
    health.libvirtConnectionState(libvirt.start());
    if (config.prometheusListen().isPresent()) {
      lifecycle.closeAtExit(metricsTick.serve(config.prometheusListen().get(), registry));
    }
    Subscription subscription = libvirt.subscribe(forwarder);
    outbox.recover(dispatcher);
    lifecycle.start(subscription);
  }

  /**
   * Tells {@code listener} the operation and result of every command this agent runs or refuses, on
   * the worker thread, after the journal holds the result and before it is spooled.
   */
  public void onCommandFinished(BiConsumer<String, CommandResult> listener) {
    dispatcher.onFinished(listener);
  }

  /** Blocks until {@link #shutdown()} has finished. */
  public void awaitStopped() throws InterruptedException {
    lifecycle.awaitStopped();
  }

  /**
   * Graceful stop: no new commands, running ones get {@code AGENT_SHUTDOWN_TIMEOUT}, the spool is
   * flushed while the backend answers, a last heartbeat says the agent goes offline.
   */
  public void shutdown() {
    lifecycle.shutdown();
  }

  private ObjectNode agentInfo() {
    return info.build();
  }

  private static DurableQueue queue(StateDir stateDir, String name, long segment, long max)
      throws IOException {
    return new DurableQueue(name, stateDir.directory("spool/" + name), segment, max);
  }
}
