package io.vmagent.simulator;

import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.QueueCommandRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An operator queuing commands at a fixed rate through the operator API, each for a random
 * registered agent, spread over the backends in turn as a load balancer would.
 */
final class OperatorLoad {
  private static final int DEADLINE_SECONDS = 300;

  private final Fleet fleet;
  private final List<BackendClient> backends;
  private final List<SimulatedAgent> agents;
  private final AtomicInteger turn = new AtomicInteger();
  private ScheduledFuture<?> task;

  OperatorLoad(Fleet fleet, List<BackendClient> backends, List<SimulatedAgent> agents) {
    this.fleet = fleet;
    this.backends = backends;
    this.agents = agents;
  }

  void start() {
    double rate = fleet.settings().commandsPerSecond();
    if (rate <= 0) {
      return;
    }
    long period = (long) (1e9 / rate);
    task =
        fleet.scheduler().scheduleAtFixedRate(this::queueOne, period, period, TimeUnit.NANOSECONDS);
  }

  void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }

  private void queueOne() {
    SimulatedAgent agent = randomRegistered();
    if (agent == null) {
      return;
    }
    BackendClient backend = backends.get(Math.floorMod(turn.getAndIncrement(), backends.size()));
    WindowStats window = backend.recorder().current();
    long start = System.nanoTime();
    QueueCommandRequest request =
        new QueueCommandRequest(
            agent.agentId(),
            fleet.settings().commandOperation(),
            Map.of("vm", Payloads.vmName(0)),
            DEADLINE_SECONDS);
    var unused =
        backend
            .post(
                RequestType.QUEUE,
                ProtocolPaths.OPERATOR_COMMANDS,
                fleet.settings().operatorToken(),
                request,
                fleet.settings().requestTimeout())
            .thenAccept(
                reply -> {
                  if (reply.ok()) {
                    fleet
                        .commands()
                        .queued(reply.as(fleet.json(), CommandView.class).id(), start, window);
                  }
                });
  }

  private SimulatedAgent randomRegistered() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 20; attempt++) {
      SimulatedAgent agent = agents.get(random.nextInt(agents.size()));
      if (agent.registered()) {
        return agent;
      }
    }
    return null;
  }
}
