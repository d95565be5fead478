package io.vmagent.simulator;

import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.HeartbeatResponse;
import io.vmagent.protocol.IngestAck;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RefreshRequest;
import io.vmagent.protocol.RegisterResponse;
import io.vmagent.protocol.TokenPair;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * One simulated agent: registers, then heartbeats, sends metrics, keeps a long-poll open for
 * commands, answers them, and refreshes its access token before it expires, as the real agent does,
 * without libvirt. Every request is asynchronous; the agent owns no thread.
 */
final class SimulatedAgent {
  private static final long MAX_POLL_BACKOFF_MS = 30_000;

  private final int index;
  private final String agentId;
  private final String hostname;
  private final BackendClient backend;
  private final Fleet fleet;
  private final Duration timeout;
  private final long startNanos = System.nanoTime();
  private final AtomicBoolean heartbeatInFlight = new AtomicBoolean();
  private final AtomicBoolean metricsInFlight = new AtomicBoolean();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private final AtomicInteger heartbeats = new AtomicInteger();
  private final AtomicInteger tokenGeneration = new AtomicInteger();
  private final AtomicInteger pollFailures = new AtomicInteger();
  private volatile String accessToken;
  private volatile String refreshToken;
  private volatile boolean registered;
  private volatile boolean stopped;

  SimulatedAgent(int index, BackendClient backend, Fleet fleet) {
    this.index = index;
    this.agentId = fleet.settings().agentIdPrefix() + index;
    this.hostname = "sim-host-" + index + ".fleet.test";
    this.backend = backend;
    this.fleet = fleet;
    this.timeout = fleet.settings().requestTimeout();
  }

  String agentId() {
    return agentId;
  }

  boolean registered() {
    return registered;
  }

  /** One registration attempt; true when the backend accepted it. */
  CompletableFuture<Boolean> register() {
    return backend
        .post(
            RequestType.REGISTER,
            ProtocolPaths.REGISTER,
            fleet.settings().bootstrapToken(),
            fleet.payloads().register(agentId, index),
            timeout)
        .thenApply(
            reply -> {
              if (!reply.ok()) {
                return false;
              }
              RegisterResponse r = reply.as(fleet.json(), RegisterResponse.class);
              acceptTokens(r.accessToken(), r.refreshToken(), r.accessTokenExpiresAt());
              registered = true;
              return true;
            })
        .exceptionally(
            error -> {
              // Transport failures are already counted by the client; an unreadable answer is not.
              if (error.getCause() instanceof java.io.UncheckedIOException) {
                backendWindow().failure(RequestType.REGISTER, "unreadable answer");
              }
              return false;
            });
  }

  /** Starts the loops of a registered agent: heartbeat now, then periodic reports and the poll. */
  void start() {
    SimSettings s = fleet.settings();
    long heartbeatNanos = s.heartbeat().toNanos();
    long metricsNanos = s.metrics().toNanos();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    heartbeat();
    // After the first heartbeat the phases are random, as in a fleet whose hosts started at
    // different times; otherwise a registration storm would stay a synchronised wave forever.
    every(this::heartbeat, random.nextLong(heartbeatNanos), heartbeatNanos);
    every(this::sendMetrics, random.nextLong(metricsNanos), metricsNanos);
    poll();
  }

  void stop() {
    stopped = true;
  }

  private void every(Runnable task, long firstDelayNanos, long periodNanos) {
    scheduleAt(task, System.nanoTime() + firstDelayNanos, periodNanos);
  }

  private void scheduleAt(Runnable task, long dueNanos, long periodNanos) {
    if (stopped) {
      return;
    }
    long delay = Math.max(0, dueNanos - System.nanoTime());
    later(
        () -> {
          fleet.lag().record(dueNanos, System.nanoTime());
          if (stopped) {
            return;
          }
          task.run();
          scheduleAt(task, dueNanos + periodNanos, periodNanos);
        },
        delay,
        TimeUnit.NANOSECONDS);
  }

  private long uptimeSeconds() {
    return (System.nanoTime() - startNanos) / 1_000_000_000L;
  }

  private void heartbeat() {
    if (!heartbeatInFlight.compareAndSet(false, true)) {
      backendWindow().failure(RequestType.HEARTBEAT, "skipped: previous still in flight");
      return;
    }
    int n = heartbeats.getAndIncrement();
    boolean inventory = n % fleet.settings().inventoryEvery() == 0;
    onAnswer(
        backend.post(
            RequestType.HEARTBEAT,
            ProtocolPaths.heartbeat(agentId),
            accessToken,
            fleet.payloads().heartbeat(uptimeSeconds(), inventory),
            timeout),
        (reply, error) -> {
          heartbeatInFlight.set(false);
          if (error == null && reply.ok()) {
            // Read as the agent would; commands pending are picked up by the open long-poll.
            reply.as(fleet.json(), HeartbeatResponse.class);
          } else if (error == null && reply.status() == 401) {
            refresh(tokenGeneration.get());
          }
        });
  }

  private void sendMetrics() {
    if (!metricsInFlight.compareAndSet(false, true)) {
      backendWindow().failure(RequestType.METRICS, "skipped: previous still in flight");
      return;
    }
    onAnswer(
        backend.post(
            RequestType.METRICS,
            ProtocolPaths.metrics(agentId),
            accessToken,
            fleet.payloads().metrics(hostname, uptimeSeconds()),
            timeout),
        (reply, error) -> {
          metricsInFlight.set(false);
          if (error == null && reply.ok()) {
            reply.as(fleet.json(), IngestAck.class);
          } else if (error == null && reply.status() == 401) {
            refresh(tokenGeneration.get());
          }
        });
  }

  private void poll() {
    if (stopped) {
      return;
    }
    int wait = fleet.settings().pollWaitSeconds();
    onAnswer(
        backend.get(
            RequestType.POLL,
            ProtocolPaths.commands(agentId, wait),
            accessToken,
            Duration.ofSeconds(wait + 15L)),
        (reply, error) -> {
          if (stopped) {
            return;
          }
          if (error == null && reply.ok()) {
            pollFailures.set(0);
            for (Command command : reply.as(fleet.json(), CommandBatch.class).commands()) {
              answer(command);
            }
            poll();
            return;
          }
          if (error == null && reply.status() == 401) {
            refresh(tokenGeneration.get());
          }
          int failures = pollFailures.incrementAndGet();
          long backoff = Math.min(MAX_POLL_BACKOFF_MS, 1000L << Math.min(failures - 1, 5));
          long jittered = (long) (backoff * ThreadLocalRandom.current().nextDouble(0.5, 1.5));
          later(this::poll, jittered, TimeUnit.MILLISECONDS);
        });
  }

  private void answer(Command command) {
    Instant startedAt = Instant.now();
    onAnswer(
        backend.post(
            RequestType.RESULT,
            ProtocolPaths.results(agentId),
            accessToken,
            fleet.payloads().result(command, startedAt),
            timeout),
        (reply, error) -> {
          if (error == null && reply.ok()) {
            fleet.commands().resultStored(command.id(), System.nanoTime());
          } else if (error == null && reply.status() == 401) {
            // The backend delivers the command again when its lease runs out.
            refresh(tokenGeneration.get());
          }
        });
  }

  private void acceptTokens(String access, String refresh, Instant accessExpiresAt) {
    accessToken = access;
    refreshToken = refresh;
    int generation = tokenGeneration.incrementAndGet();
    long lifeMs = Math.max(0, Duration.between(Instant.now(), accessExpiresAt).toMillis());
    long delayMs =
        Math.max(1_000, (long) (lifeMs * ThreadLocalRandom.current().nextDouble(0.7, 0.9)));
    later(() -> refresh(generation), delayMs, TimeUnit.MILLISECONDS);
  }

  /** Trades the refresh token for new tokens, unless newer ones arrived since {@code seen}. */
  private void refresh(int seen) {
    if (stopped || seen != tokenGeneration.get() || !refreshing.compareAndSet(false, true)) {
      return;
    }
    onAnswer(
        backend.post(
            RequestType.REFRESH,
            ProtocolPaths.REFRESH,
            null,
            new RefreshRequest(refreshToken),
            timeout),
        (reply, error) -> {
          refreshing.set(false);
          if (error == null && reply.ok()) {
            TokenPair pair = reply.as(fleet.json(), TokenPair.class);
            acceptTokens(pair.accessToken(), pair.refreshToken(), pair.accessTokenExpiresAt());
          } else if (error == null && reply.status() == 401) {
            // The chain is gone: register again with the bootstrap token, as the agent does.
            var unused = register();
          } else if (!stopped) {
            later(() -> refresh(seen), 5, TimeUnit.SECONDS);
          }
        });
  }

  private WindowStats backendWindow() {
    return backend.recorder().current();
  }

  private void later(Runnable task, long delay, TimeUnit unit) {
    var unused = fleet.scheduler().schedule(task, delay, unit);
  }

  /**
   * Hands the answer (or the failure) of a request to {@code handler}. The request is already
   * counted by the recorder, so what the handler itself throws ends here.
   */
  private static void onAnswer(
      CompletableFuture<Reply> call, BiConsumer<Reply, Throwable> handler) {
    var unused = call.whenComplete(handler);
  }
}
