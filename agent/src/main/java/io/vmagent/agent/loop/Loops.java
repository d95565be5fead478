package io.vmagent.agent.loop;

import io.vmagent.agent.backend.BackendClient;
import io.vmagent.agent.command.CommandDispatcher;
import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.health.HostResources;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.metrics.prometheus.AgentHealthMetrics;
import io.vmagent.agent.spool.Spool;
import io.vmagent.protocol.CommandResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * The agent's loops, built from the configuration: the command poll (with its worker pool), the
 * heartbeat, the metrics round and the update check. {@link Lifecycle} runs them.
 */
public final class Loops {
  /** Commands that may run at once. */
  public static final int COMMAND_WORKERS = 4;

  private final Instant startedAt = Instant.now();
  private final ExecutorService workers = Lifecycle.workers(COMMAND_WORKERS);
  private final LoopState commandPoll = new LoopState("command-poll");
  private final CommandLoop commandLoop;
  private final VersionWatch versions;
  private final HeartbeatRound heartbeat;
  private final PeriodicLoop heartbeatLoop;
  private final PeriodicLoop metricsLoop;
  private final PeriodicLoop updateLoop;

  /**
   * @param results where each command's result goes once the journal holds it
   * @param spools the results, events and metrics spools, in that order
   */
  public Loops(
      AgentConfig config,
      LibvirtConnectionManager libvirt,
      BackendClient client,
      CommandDispatcher dispatcher,
      Consumer<CommandResult> results,
      MetricsTick metricsTick,
      List<Spool> spools,
      AgentHealthMetrics health,
      BackendContact contact) {
    Spool metrics = spools.get(2);
    this.commandLoop =
        new CommandLoop(client, dispatcher, workers, COMMAND_WORKERS, results, commandPoll);
    this.versions = new VersionWatch(client);
    this.metricsLoop =
        new PeriodicLoop(
            new LoopState("metrics"),
            config.metricsInterval(),
            Duration.ofSeconds(1),
            metricsTick.into(metrics, client.session().clockOffset()));
    this.updateLoop =
        new PeriodicLoop(
            new LoopState("update-check"),
            config.updateCheckInterval(),
            Duration.ofSeconds(2),
            versions);
    HeartbeatReporter reporter =
        new HeartbeatReporter(
            libvirt,
            startedAt,
            config.sslVerify(),
            config.warnings(),
            (int) config.heartbeatInterval().toSeconds(),
            () -> spools.stream().mapToLong(Spool::depth).sum(),
            versions::newest,
            () -> HeartbeatReporter.problems(List.of(metricsLoop, updateLoop), metrics),
            new HostResources(
                    config.stateDir(),
                    config.resourceThresholds(),
                    libvirt,
                    HeartbeatReporter.LIBVIRT_DEADLINE)
                ::problems,
            new ClockCheck(client.session().clockOffset(), config.clockOffsetMax()),
            config.prometheusListen().orElse(null));
    this.heartbeat =
        new HeartbeatRound(
            client,
            reporter,
            health,
            contact,
            versions,
            spools,
            commandLoop::commandsPending,
            dispatcher::cancel,
            AgentIdentity.versioned(dispatcher.operationVersions()));
    this.heartbeatLoop =
        new PeriodicLoop(
            new LoopState("heartbeat"), config.heartbeatInterval(), Duration.ZERO, heartbeat);
  }

  /** Every loop's state, in the order {@code agent_info} shows them. */
  public List<LoopState> states() {
    return List.of(heartbeatLoop.state(), commandPoll, metricsLoop.state(), updateLoop.state());
  }

  /** When the agent was built, which is when its uptime starts. */
  public Instant startedAt() {
    return startedAt;
  }

  /** The newest agent version the backend named. */
  public VersionWatch versions() {
    return versions;
  }

  CommandLoop commandLoop() {
    return commandLoop;
  }

  ExecutorService workers() {
    return workers;
  }

  HeartbeatRound heartbeat() {
    return heartbeat;
  }

  /** The periodic loops, the heartbeat first. */
  List<PeriodicLoop> periodic() {
    return List.of(heartbeatLoop, metricsLoop, updateLoop);
  }
}
