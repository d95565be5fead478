package io.vmagent.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vmagent.agent.backend.BackendClient;
import io.vmagent.agent.backend.Backoff;
import io.vmagent.agent.backend.CredentialsStore;
import io.vmagent.agent.backend.Enrollment;
import io.vmagent.agent.backend.HttpTransport;
import io.vmagent.agent.backend.Session;
import io.vmagent.agent.backend.TlsContexts;
import io.vmagent.agent.backend.TlsSettings;
import io.vmagent.agent.command.CommandDispatcher;
import io.vmagent.agent.command.CommandJournal;
import io.vmagent.agent.command.JournalEntry;
import io.vmagent.agent.command.MetricsSource;
import io.vmagent.agent.command.OperationSpec;
import io.vmagent.agent.command.VmOperationSpecs;
import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.Subscription;
import io.vmagent.agent.libvirt.VmOperations;
import io.vmagent.agent.loop.AgentIdentity;
import io.vmagent.agent.loop.CommandLoop;
import io.vmagent.agent.loop.Deliveries;
import io.vmagent.agent.loop.EventForwarder;
import io.vmagent.agent.loop.EventSequence;
import io.vmagent.agent.loop.HeartbeatReporter;
import io.vmagent.agent.loop.LoopState;
import io.vmagent.agent.loop.PeriodicLoop;
import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.MetricsJson;
import io.vmagent.agent.metrics.MetricsSampler;
import io.vmagent.agent.metrics.domain.DomainCollector;
import io.vmagent.agent.metrics.domain.ManagedConnectionAccess;
import io.vmagent.agent.metrics.prometheus.AgentHealthMetrics;
import io.vmagent.agent.metrics.prometheus.PrometheusEndpoint;
import io.vmagent.agent.metrics.prometheus.SnapshotMetrics;
import io.vmagent.agent.metrics.system.SystemCollectors;
import io.vmagent.agent.spool.DurableQueue;
import io.vmagent.agent.spool.SpoolDrainer;
import io.vmagent.agent.state.StateDir;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.HeartbeatResponse;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.UpdateInfo;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;

/**
 * The daemon: wires configuration, libvirt, metrics, the backend client, the journal and the spool
 * with plain constructors, runs each loop on its own named thread (heartbeat, command poll,
 * metrics, update check, one spool drainer per stream), and shuts down gracefully.
 */
public final class Agent {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final ObjectMapper JSON = ProtocolJson.tolerantMapper();

  /** Commands that may run at once. */
  static final int COMMAND_WORKERS = 4;

  /** How long a batch of lifecycle events may wait for more events to join it. */
  static final Duration EVENT_GATHER = Duration.ofMillis(250);

  /** How long the spool may take to flush at shutdown. */
  static final Duration FLUSH_BUDGET = Duration.ofSeconds(5);

  /** How long the last heartbeat may take at shutdown. */
  static final Duration LAST_HEARTBEAT_TIMEOUT = Duration.ofSeconds(5);

  private final AgentConfig config;
  private final Instant startedAt = Instant.now();
  private final StateDir stateDir;
  private final LibvirtConnectionManager libvirt;
  private final VmOperations vmOperations;
  private MetricsSampler sampler; // guarded by this; built on first use, off the start-up path
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AgentHealthMetrics health = new AgentHealthMetrics(registry);
  private PrometheusEndpoint prometheus;
  private final HttpTransport transport;
  private final BackendClient client;
  private final CommandJournal journal;
  private final CommandDispatcher dispatcher;
  private final DurableQueue results;
  private final DurableQueue events;
  private final DurableQueue metrics;
  private final SpoolDrainer resultsDrainer;
  private final SpoolDrainer eventsDrainer;
  private final SpoolDrainer metricsDrainer;
  private final EventSequence eventSequence;
  private final ExecutorService workers;
  private final CommandLoop commandLoop;
  private final LoopState commandLoopState = new LoopState("command-poll");
  private final PeriodicLoop heartbeatLoop;
  private final PeriodicLoop metricsLoop;
  private final PeriodicLoop updateLoop;
  private final HeartbeatReporter heartbeats;
  private final AtomicReference<String> newestVersion = new AtomicReference<>();
  private final List<Thread> threads = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Object lifecycle = new Object();
  private volatile Instant lastContact;
  private Subscription eventSubscription;
  private volatile boolean stopping; // written under lifecycle

  /** Builds every part; nothing runs until {@link #start()}. */
  public Agent(AgentConfig config) throws IOException {
    this.config = config;
    this.stateDir = new StateDir(config.stateDir());
    StateDir.ensureDirectory(stateDir.root());
    restrict(stateDir.root());
    this.libvirt =
        new LibvirtConnectionManager(
            config.libvirtUri(),
            config.libvirtTimeout(),
            8,
            Duration.ofMillis(250),
            Duration.ofSeconds(30));
    this.transport =
        new HttpTransport(
            config.backendUrl().orElseThrow(() -> new IOException("AGENT_BACKEND_URL is not set")),
            TlsContexts.create(TlsSettings.of(config)),
            config.apiTimeout(),
            Backoff.of(config.retryAttempts(), config.retryBackoff()));
    this.journal = new CommandJournal(stateDir);
    this.vmOperations = new VmOperations(libvirt, config.stopTimeout(), COMMAND_WORKERS);
    List<OperationSpec> operations = new ArrayList<>(VmOperationSpecs.create(vmOperations));
    MetricsSource metricsSource = () -> MetricsJson.mapper().valueToTree(sampler().collect());
    operations.add(
        OperationSpec.hostWide(
            "collect_metrics", java.util.Set.of(), p -> metricsSource.collect()));
    operations.add(OperationSpec.hostWide("agent_info", java.util.Set.of(), p -> agentInfo()));
    this.dispatcher = new CommandDispatcher(operations, journal, Clock.systemUTC());
    dispatcher.onFinished(
        (operation, result) -> health.commandFinished(operation, outcome(result)));
    Session session =
        new Session(
            transport,
            new CredentialsStore(stateDir.root()),
            config.token(),
            config.autoRegister(),
            new AgentIdentity(config, libvirt, () -> dispatcher.capabilities()),
            new Enrollment(stateDir.root(), TlsSettings.of(config), transport, Clock.systemUTC()),
            Clock.systemUTC());
    this.client = new BackendClient(transport, session);
    Deliveries deliveries = new Deliveries(client, journal);

    this.results = new DurableQueue("results", stateDir.directory("spool/results"), 4 << 20, 0);
    this.events = new DurableQueue("events", stateDir.directory("spool/events"), 4 << 20, 0);
    long metricsMax = config.metricsSpoolMaxBytes();
    this.metrics =
        new DurableQueue(
            "metrics",
            stateDir.directory("spool/metrics"),
            Math.max(64 << 10, metricsMax / 8),
            metricsMax);
    this.resultsDrainer =
        new SpoolDrainer("results", results, 1, Duration.ZERO, deliveries::results, this::contact);
    this.eventsDrainer =
        new SpoolDrainer("events", events, 500, EVENT_GATHER, deliveries::events, this::contact);
    this.metricsDrainer =
        new SpoolDrainer("metrics", metrics, 10, Duration.ZERO, deliveries::metrics, this::contact);
    this.eventSequence = new EventSequence(stateDir.root());

    AtomicInteger workerNumber = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            COMMAND_WORKERS,
            COMMAND_WORKERS,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> new Thread(r, "command-worker-" + workerNumber.incrementAndGet()));
    this.commandLoop =
        new CommandLoop(
            client, dispatcher, workers, COMMAND_WORKERS, this::spoolResult, commandLoopState);
    this.heartbeats =
        new HeartbeatReporter(
            libvirt,
            startedAt,
            config.sslVerify(),
            config.warnings(),
            (int) config.heartbeatInterval().toSeconds(),
            () -> results.depth() + events.depth() + metrics.depth(),
            newestVersion::get,
            this::loopProblems);
    this.heartbeatLoop =
        new PeriodicLoop(
            new LoopState("heartbeat"), config.heartbeatInterval(), Duration.ZERO, this::heartbeat);
    this.metricsLoop =
        new PeriodicLoop(
            new LoopState("metrics"),
            config.metricsInterval(),
            Duration.ofSeconds(1),
            this::collectMetrics);
    this.updateLoop =
        new PeriodicLoop(
            new LoopState("update-check"),
            config.updateCheckInterval(),
            Duration.ofSeconds(2),
            this::checkForUpdate);
  }

  /** Connects to libvirt, recovers the journal and spool, and starts every loop. */
  public void start() throws IOException {
    log.info(
        "vm-agent {} starting: agent id {}, backend {}, libvirt {}, state {}",
        AgentVersion.current(),
        config.agentId().orElse("?"),
        transport.baseUrl(),
        config.libvirtUri(),
        stateDir.root());
    if (!config.sslVerify()) {
      log.warn(
          "AGENT_SSL_VERIFY=false: the backend's certificate is NOT verified; use only for"
              + " testing");
    }
    libvirt.onStateChange(health::libvirtConnectionState);
    health.libvirtConnectionState(libvirt.start());
    if (config.prometheusListen().isPresent()) {
      registry.register(new SnapshotMetrics(() -> sampler().latest()));
      prometheus = PrometheusEndpoint.start(config.prometheusListen().get(), registry);
      log.info(
          "Prometheus metrics served on {}:{}",
          config.prometheusListen().get().getHostString(),
          prometheus.port());
    }
    eventSubscription = libvirt.subscribe(new EventForwarder(eventSequence, events, eventsDrainer));
    recoverJournal();
    startThread("spool-results", resultsDrainer);
    startThread("spool-events", eventsDrainer);
    startThread("spool-metrics", metricsDrainer);
    startThread("heartbeat", heartbeatLoop);
    startThread("command-poll", commandLoop);
    startThread("metrics", metricsLoop);
    startThread("update-check", updateLoop);
  }

  /**
   * Tells {@code listener} the operation and result of every command this agent runs or refuses, on
   * the worker thread, after the journal holds the result and before it is spooled.
   */
  public void onCommandFinished(java.util.function.BiConsumer<String, CommandResult> listener) {
    dispatcher.onFinished(listener);
  }

  /** Blocks until {@link #shutdown()} has finished. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /**
   * Graceful stop: no new commands, running ones get {@code AGENT_SHUTDOWN_TIMEOUT}, the spool is
   * flushed while the backend answers, a last heartbeat says the agent goes offline.
   */
  public void shutdown() {
    synchronized (lifecycle) {
      if (stopping) {
        return;
      }
      stopping = true;
    }
    try {
      log.info(
          "shutting down: no new commands; running commands get {} s",
          config.shutdownTimeout().toSeconds());
      commandLoop.stop();
      heartbeatLoop.stop();
      metricsLoop.stop();
      updateLoop.stop();
      workers.shutdown();
      if (!workers.awaitTermination(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "{} commands still running after {} s; abandoned (reported as interrupted at the next"
                + " start)",
            dispatcher.runningCount(),
            config.shutdownTimeout().toSeconds());
        workers.shutdownNow();
      }
      if (eventSubscription != null) {
        eventSubscription.close();
      }
      resultsDrainer.stop();
      eventsDrainer.stop();
      metricsDrainer.stop();
      // One bound for all loop threads together: a loop stuck in a slow request is left behind.
      long joinUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      for (Thread thread : threads) {
        long left = TimeUnit.NANOSECONDS.toMillis(joinUntil - System.nanoTime());
        if (left > 0) {
          thread.join(left);
        }
      }
      Instant deadline = Instant.now().plus(FLUSH_BUDGET);
      boolean flushed =
          resultsDrainer.flush(deadline)
              & eventsDrainer.flush(deadline)
              & metricsDrainer.flush(deadline);
      long left = results.depth() + events.depth() + metrics.depth();
      if (flushed) {
        log.info("spool flushed");
      } else {
        log.warn(
            "backend unreachable at shutdown: {} records stay in the spool for the next start",
            left);
      }
      try {
        client.lastHeartbeat(heartbeats.build(true), LAST_HEARTBEAT_TIMEOUT);
        log.info("last heartbeat sent: going offline");
      } catch (IOException e) {
        log.warn("last heartbeat not sent: {}", e.getMessage());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.warn("spool flush at shutdown failed: {}", e.getMessage());
    } finally {
      closeQuietly();
      log.info("vm-agent stopped");
      stopped.countDown();
    }
  }

  // OSHI's first look at the host takes a second or more; building the collectors when metrics
  // are first needed keeps it off the path to registration and the first heartbeat.
  private synchronized MetricsSampler sampler() {
    if (sampler == null) {
      SystemCollectors system = new SystemCollectors(new SystemInfo());
      List<Collector> collectors = new ArrayList<>(system.create());
      collectors.add(
          new DomainCollector(
              new ManagedConnectionAccess(libvirt, config.libvirtTimeout()), system.logicalCpus()));
      sampler = new MetricsSampler(collectors, Clock.systemUTC());
    }
    return sampler;
  }

  private void closeQuietly() {
    if (prometheus != null) {
      prometheus.close();
    }
    transport.close();
    vmOperations.close();
    libvirt.close();
    for (DurableQueue queue : List.of(results, events, metrics)) {
      try {
        queue.close();
      } catch (IOException e) {
        log.warn("closing a spool file failed: {}", e.getMessage());
      }
    }
  }

  private void startThread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    threads.add(thread);
    thread.start();
  }

  private void recoverJournal() throws IOException {
    int requeued = 0;
    for (JournalEntry entry : journal.all()) {
      if (!entry.finished()) {
        spoolResult(dispatcher.interrupted(entry).result());
        requeued++;
      } else if (!entry.delivered()) {
        spoolResult(entry.result());
        requeued++;
      }
    }
    if (requeued > 0) {
      log.info("{} command results from before the restart queued for delivery", requeued);
    }
    int pruned = journal.prune(Instant.now().minus(Duration.ofDays(7)));
    if (pruned > 0) {
      log.debug("{} journal entries older than 7 days removed", pruned);
    }
  }

  private void spoolResult(CommandResult result) {
    try {
      // No fsync: the journal already holds the result durably and re-queues it after a crash.
      results.append(Deliveries.record(result), false);
      resultsDrainer.signal();
    } catch (IOException e) {
      // The journal holds the result: it is re-queued at the next start.
      log.error("result of command {} cannot be spooled: {}", result.commandId(), e.getMessage());
    }
  }

  private void contact(boolean reached) {
    if (reached) {
      lastContact = Instant.now();
      health.backendContact();
    }
  }

  private static String outcome(CommandResult result) {
    if (result.error() == null) {
      return "success";
    }
    ErrorCode code = result.error().code();
    return switch (code) {
      case TIMEOUT -> "timeout";
      case DEADLINE_EXCEEDED, UNKNOWN_OPERATION, INVALID_ARGUMENT -> "refused";
      default -> "failure";
    };
  }

  private void heartbeat() throws IOException {
    health.spoolSize(
        results.depth() + events.depth() + metrics.depth(),
        results.bytes() + events.bytes() + metrics.bytes());
    HeartbeatResponse response;
    try {
      response = client.heartbeat(heartbeats.build(false));
    } catch (IOException e) {
      health.heartbeatFailed();
      throw e;
    }
    health.heartbeatSent();
    contact(true);
    log.info(
        "heartbeat sent as agent {} ({} commands pending)",
        client.session().agentId().orElse("?"),
        response.commandsPending());
    if (response.latestAgentVersion() != null) {
      noteVersion(response.latestAgentVersion());
    }
  }

  private void collectMetrics() throws IOException {
    ObjectNode snapshot = MetricsJson.mapper().valueToTree(sampler().collect());
    metrics.append(JSON.writeValueAsBytes(new MetricsSample(Instant.now(), snapshot)));
    metricsDrainer.signal();
  }

  private void checkForUpdate() throws IOException {
    UpdateInfo info = client.latestVersion(AgentVersion.current());
    if (info.latestVersion() != null) {
      noteVersion(info.latestVersion());
    }
  }

  private void noteVersion(String latest) {
    String before = newestVersion.getAndSet(latest);
    if (!latest.equals(before) && !latest.equals(AgentVersion.current())) {
      log.info(
          "a newer agent version may be available: {} (running {}); the agent does not update"
              + " itself",
          latest,
          AgentVersion.current());
    }
  }

  private List<String> loopProblems() {
    List<String> problems = new ArrayList<>();
    for (PeriodicLoop loop : List.of(metricsLoop, updateLoop)) {
      String error = loop.state().lastError();
      if (error != null) {
        problems.add(loop.state().name() + " failing: " + error);
      }
    }
    if (metrics.dropped() > 0) {
      problems.add("metrics spool full: " + metrics.dropped() + " oldest samples dropped");
    }
    return problems;
  }

  private ObjectNode agentInfo() {
    ObjectNode info = JsonNodeFactory.instance.objectNode();
    info.put("agent_version", AgentVersion.current());
    info.put("agent_id", client.session().agentId().orElse(config.agentId().orElse(null)));
    info.put("hostname", AgentIdentity.hostname());
    info.put("started_at", startedAt.toString());
    info.put("uptime_seconds", Duration.between(startedAt, Instant.now()).toSeconds());
    ObjectNode host = info.putObject("host");
    host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    host.put("arch", System.getProperty("os.arch"));
    host.put("cpus", Runtime.getRuntime().availableProcessors());
    host.put("java", System.getProperty("java.version"));
    ObjectNode lv = info.putObject("libvirt");
    lv.put("uri", libvirt.uri());
    lv.put("state", libvirt.state().name().toLowerCase(java.util.Locale.ROOT));
    lv.put("last_error", libvirt.lastError());
    lv.put("reconnects", libvirt.reconnects());
    ObjectNode cfg = info.putObject("config");
    config.redacted().forEach(cfg::put);
    var loops = info.putArray("loops");
    loops.add(heartbeatLoop.state().toJson());
    loops.add(commandLoopState.toJson());
    loops.add(metricsLoop.state().toJson());
    loops.add(updateLoop.state().toJson());
    ObjectNode spool = info.putObject("spool");
    spool.put("results", results.depth());
    spool.put("events", events.depth());
    spool.put("metrics", metrics.depth());
    spool.put("metrics_bytes", metrics.bytes());
    spool.put("metrics_dropped", metrics.dropped());
    info.put("commands_running", dispatcher.runningCount());
    info.put("newest_known_version", newestVersion.get());
    info.put("last_backend_contact", lastContact == null ? null : lastContact.toString());
    info.put("ssl_verify", config.sslVerify());
    return info;
  }

  // The state directory holds credentials: owner-only, as the installer creates it.
  private static void restrict(java.nio.file.Path dir) {
    try {
      java.nio.file.Files.setPosixFilePermissions(dir, StateDir.DIR_MODE);
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("cannot restrict {} to mode 0700: {}", dir, e.getMessage());
    }
  }
}
