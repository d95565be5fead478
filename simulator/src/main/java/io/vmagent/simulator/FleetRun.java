package io.vmagent.simulator;

import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * One bounded simulator run: the registration storm, a warm-up, the measured steady window, then
 * the report. Every wait is bounded by the settings; the run ends by itself.
 */
final class FleetRun {
  private static final int SAMPLES_PER_TYPE = 2_000_000;
  private static final int REGISTER_ATTEMPTS = 6;
  private static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;

  private SimSettings settings;
  private final PrintStream progress;
  private final AtomicLong lastRegisteredNanos = new AtomicLong();
  private final AtomicInteger registeredCount = new AtomicInteger();
  private java.util.concurrent.Executor delayed;

  FleetRun(SimSettings settings, PrintStream progress) {
    this.settings = settings;
    this.progress = progress;
  }

  FleetReport run()
      throws IOException, java.security.GeneralSecurityException, InterruptedException {
    String startedAt = Instant.now().toString();
    SSLContext ssl = TrustedCas.sslContext(settings.caFiles());
    ExecutorService httpPool =
        Executors.newFixedThreadPool(settings.httpThreads(), new NamedThreads("sim-http"));
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(2, new NamedThreads("sim-scheduler"));
    scheduler.setRemoveOnCancelPolicy(true);
    delayed = scheduler;
    try {
      return run(startedAt, ssl, httpPool, scheduler);
    } finally {
      scheduler.shutdownNow();
      httpPool.shutdownNow();
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
      httpPool.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private FleetReport run(
      String startedAt,
      SSLContext ssl,
      ExecutorService httpPool,
      ScheduledThreadPoolExecutor scheduler)
      throws IOException, InterruptedException {
    Recorder recorder = new Recorder(new WindowStats("setup", 16));
    List<BackendClient> clients = clients(ssl, httpPool, recorder);
    if (settings.bootstrapToken() == null || settings.bootstrapToken().isBlank()) {
      settings = settings.withBootstrapToken(createBootstrapToken(clients.get(0)));
    }
    Fleet fleet =
        new Fleet(
            settings,
            scheduler,
            ProtocolJson.tolerantMapper(),
            new Payloads(settings.vmsPerAgent(), (int) settings.heartbeat().toSeconds()),
            new CommandTracker(),
            new SchedulerLag());
    List<SimulatedAgent> agents = new ArrayList<>(settings.agents());
    for (int i = 0; i < settings.agents(); i++) {
      agents.add(new SimulatedAgent(i, clients.get(i % clients.size()), fleet));
    }
    Samplers samplers = startSampling(scheduler);
    FleetReport.Registration storm = registrationStorm(agents, clients.size(), recorder);
    recorder.switchTo(new WindowStats("warm-up", SAMPLES_PER_TYPE));
    sleepWithProgress("warm-up", settings.warmup(), null);
    Steady steady = steady(fleet, clients, agents, recorder, samplers);
    return report(startedAt, fleet, storm, steady, samplers);
  }

  /** One HTTP client a backend. */
  private List<BackendClient> clients(SSLContext ssl, ExecutorService httpPool, Recorder recorder) {
    List<BackendClient> clients = new ArrayList<>();
    for (URI uri : settings.backends()) {
      // HTTP/1.1 so that, as with real agents, each concurrent request has its own connection
      // rather than all agents sharing one multiplexed HTTP/2 connection.
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .sslContext(ssl)
              .connectTimeout(Duration.ofSeconds(10))
              .executor(httpPool)
              .build();
      clients.add(new BackendClient(http, uri, ProtocolJson.tolerantMapper(), recorder));
    }
    return clients;
  }

  /** The processes sampled: the backends' and the simulator's own. */
  private record Samplers(List<ProcessSampler> backends, ProcessSampler self) {
    List<ProcessSampler> all() {
      List<ProcessSampler> all = new ArrayList<>(backends);
      all.add(self);
      return all;
    }
  }

  private Samplers startSampling(ScheduledThreadPoolExecutor scheduler)
      throws InterruptedException {
    List<ProcessSampler> backendSamplers = new ArrayList<>();
    long ticks = clockTicksPerSecond();
    for (long pid : settings.backendPids()) {
      backendSamplers.add(new ProcessSampler(pid, "backend", ticks));
    }
    ProcessSampler self = new ProcessSampler(ProcessHandle.current().pid(), "simulator", ticks);
    Samplers samplers = new Samplers(backendSamplers, self);
    List<ProcessSampler> all = samplers.all();
    long sampleMs = settings.sampleEvery().toMillis();
    var unused =
        scheduler.scheduleAtFixedRate(() -> sampleAll(all), 0, sampleMs, TimeUnit.MILLISECONDS);
    return samplers;
  }

  /** Registers the agents within the registration timeout, printing progress on the way. */
  private FleetReport.Registration registrationStorm(
      List<SimulatedAgent> agents, int backends, Recorder recorder) throws InterruptedException {
    WindowStats registration = new WindowStats("registration", SAMPLES_PER_TYPE);
    progress.printf(
        "registering %d agents on %d backend(s), %d at a time%n",
        settings.agents(), backends, settings.registerConcurrency());
    recorder.switchTo(registration);
    long stormStart = System.nanoTime();
    CompletableFuture<Void> storm = registerAll(agents, stormStart);
    long stormDeadline = stormStart + settings.registerTimeout().toNanos();
    while (!storm.isDone() && System.nanoTime() < stormDeadline) {
      TimeUnit.MILLISECONDS.sleep(Math.min(5_000, remainingMs(stormDeadline)));
      progress.printf(
          "  registered %d/%d, errors %d%n",
          registeredCount.get(), settings.agents(), registration.errors());
    }
    int registered = registeredCount.get();
    double stormSeconds = Math.max(0, lastRegisteredNanos.get() - stormStart) / 1e9;
    Map<RequestType, LatencySummary> stormFigures = registration.summaries(stormSeconds);
    progress.printf("registration: %d/%d in %.1f s%n", registered, settings.agents(), stormSeconds);
    return new FleetReport.Registration(
        registered,
        round2(stormSeconds),
        stormSeconds > 0 ? round2(registered / stormSeconds) : 0,
        stormFigures.get(RequestType.REGISTER),
        registration.errorReasons());
  }

  /** What the steady window measured, between two nanoTime readings. */
  private record Steady(
      WindowStats stats,
      long start,
      long end,
      double busyPercent,
      String loadAtStart,
      String loadAfter,
      java.util.SortedMap<String, RouteCpu.Cost> cpuByRoute) {
    double seconds() {
      return (end - start) / 1e9;
    }
  }

  /** The measured window: operator load on, the agents at their pace; then every agent stops. */
  private Steady steady(
      Fleet fleet,
      List<BackendClient> clients,
      List<SimulatedAgent> agents,
      Recorder recorder,
      Samplers samplers)
      throws IOException, InterruptedException {
    WindowStats steady = new WindowStats("steady", SAMPLES_PER_TYPE);
    MachineSampler machine = new MachineSampler();
    OperatorLoad operator = new OperatorLoad(fleet, clients, agents);
    recorder.switchTo(steady);
    machine.begin();
    RouteCpu.Totals cpuAtStart = scrapeRouteCpu(clients);
    sampleAll(samplers.all());
    long steadyStart = System.nanoTime();
    operator.start();
    sleepWithProgress("steady", settings.duration(), steady);
    operator.stop();
    sampleAll(samplers.all());
    long steadyEnd = System.nanoTime();
    RouteCpu.Totals cpuAtEnd = scrapeRouteCpu(clients);
    double busy = machine.busyPercentSinceBegin();
    String loadAfter = MachineSampler.loadAverage();
    recorder.stopRecording();
    agents.forEach(SimulatedAgent::stop);
    drain(clients);
    return new Steady(
        steady,
        steadyStart,
        steadyEnd,
        busy,
        machine.loadAtStart(),
        loadAfter,
        RouteCpu.between(cpuAtStart, cpuAtEnd));
  }

  /**
   * The backends' per-route CPU counters, summed over the instances; none from a backend without
   * them or whose metrics this simulator may not read.
   */
  private RouteCpu.Totals scrapeRouteCpu(List<BackendClient> clients) throws InterruptedException {
    RouteCpu.Totals all = RouteCpu.Totals.NONE;
    for (BackendClient client : clients) {
      try {
        RouteCpu.Totals totals =
            RouteCpu.parse(
                client
                    .text(
                        io.vmagent.protocol.ProtocolPaths.BACKEND_METRICS,
                        settings.operatorToken(),
                        settings.requestTimeout())
                    .get(settings.requestTimeout().toSeconds() + 5, TimeUnit.SECONDS));
        all = all.plus(totals);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        progress.printf("cannot read the metrics of %s: %s%n", client.base(), e.getMessage());
      }
    }
    return all;
  }

  private FleetReport report(
      String startedAt,
      Fleet fleet,
      FleetReport.Registration storm,
      Steady steady,
      Samplers samplers) {
    double seconds = steady.seconds();
    Map<RequestType, LatencySummary> figures = steady.stats().summaries(seconds);
    double worstP99 = worstP99(figures);
    long errors = steady.stats().errors();
    List<ProcessUsage> backendUsage = new ArrayList<>();
    for (ProcessSampler s : samplers.backends()) {
      backendUsage.add(s.usage(steady.start(), steady.end()));
    }
    boolean holds =
        storm.registered() == settings.agents() && errors == 0 && worstP99 < settings.p99LimitMs();
    return new FleetReport(
        settings.label(),
        startedAt,
        settings.agents(),
        settings.backends().stream().map(URI::toString).toList(),
        settings.heartbeat().toSeconds(),
        settings.metrics().toSeconds(),
        settings.pollWaitSeconds(),
        settings.commandsPerSecond(),
        storm,
        round2(seconds),
        round2(requestsPerSecond(figures)),
        figures,
        steady.stats().errorReasons(),
        errors,
        backendUsage,
        samplers.self().usage(steady.start(), steady.end()),
        steady.busyPercent(),
        steady.loadAtStart(),
        steady.loadAfter(),
        round2(fleet.lag().maxMs()),
        round2(fleet.lag().meanMs()),
        settings.p99LimitMs(),
        worstP99,
        holds,
        steady.cpuByRoute());
  }

  /** Requests a second over every type; a command's round trip is not a request of its own. */
  private static double requestsPerSecond(Map<RequestType, LatencySummary> figures) {
    double rps = 0;
    for (Map.Entry<RequestType, LatencySummary> e : figures.entrySet()) {
      if (e.getKey() != RequestType.COMMAND_ROUND_TRIP) {
        rps += e.getValue().perSecond();
      }
    }
    return rps;
  }

  private static double worstP99(Map<RequestType, LatencySummary> figures) {
    double worstP99 = 0;
    for (Map.Entry<RequestType, LatencySummary> e : figures.entrySet()) {
      if (!e.getKey().excludedFromVerdict()) {
        worstP99 = Math.max(worstP99, e.getValue().p99Ms());
      }
    }
    return worstP99;
  }

  /** A multi-use bootstrap token made through the operator API, valid for a day. */
  private String createBootstrapToken(BackendClient backend)
      throws IOException, InterruptedException {
    Reply reply;
    try {
      reply =
          backend
              .post(
                  RequestType.QUEUE,
                  io.vmagent.protocol.ProtocolPaths.OPERATOR_TOKENS,
                  settings.operatorToken(),
                  new io.vmagent.protocol.CreateBootstrapTokenRequest(
                      "fleet simulator", false, 86_400L),
                  settings.requestTimeout())
              .get(settings.requestTimeout().toSeconds() + 5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("cannot create a bootstrap token on " + backend.base(), e);
    }
    if (!reply.ok()) {
      throw new IOException(
          "creating a bootstrap token on " + backend.base() + " answered HTTP " + reply.status());
    }
    progress.println("created a multi-use bootstrap token through the operator API");
    return reply
        .as(ProtocolJson.tolerantMapper(), io.vmagent.protocol.BootstrapTokenCreated.class)
        .token();
  }

  /** Registers every agent, at most the configured number at once, each retried with backoff. */
  private CompletableFuture<Void> registerAll(List<SimulatedAgent> agents, long stormStart) {
    AtomicInteger next = new AtomicInteger();
    long deadline = stormStart + settings.registerTimeout().toNanos();
    int lanes = Math.min(settings.registerConcurrency(), agents.size());
    CompletableFuture<?>[] all = new CompletableFuture<?>[lanes];
    for (int i = 0; i < lanes; i++) {
      all[i] = lane(agents, next, deadline);
    }
    return CompletableFuture.allOf(all);
  }

  private CompletableFuture<Void> lane(
      List<SimulatedAgent> agents, AtomicInteger next, long deadline) {
    int i = next.getAndIncrement();
    if (i >= agents.size() || System.nanoTime() > deadline) {
      return CompletableFuture.completedFuture(null);
    }
    return registerWithRetry(agents.get(i), 1, deadline)
        .thenCompose(ok -> lane(agents, next, deadline));
  }

  private CompletableFuture<Boolean> registerWithRetry(
      SimulatedAgent agent, int attempt, long deadline) {
    return agent
        .register()
        .thenCompose(
            ok -> {
              if (ok) {
                registeredCount.incrementAndGet();
                lastRegisteredNanos.accumulateAndGet(System.nanoTime(), Math::max);
                agent.start();
                return CompletableFuture.completedFuture(true);
              }
              if (attempt >= REGISTER_ATTEMPTS || System.nanoTime() > deadline) {
                return CompletableFuture.completedFuture(false);
              }
              long backoffMs =
                  (long)
                      ((1000L << (attempt - 1)) * ThreadLocalRandom.current().nextDouble(0.5, 1.5));
              return CompletableFuture.runAsync(
                      () -> {},
                      CompletableFuture.delayedExecutor(backoffMs, TimeUnit.MILLISECONDS, delayed))
                  .thenCompose(x -> registerWithRetry(agent, attempt + 1, deadline));
            });
  }

  private void sleepWithProgress(String phase, Duration length, WindowStats window)
      throws InterruptedException {
    long end = System.nanoTime() + length.toNanos();
    while (System.nanoTime() < end) {
      long step = Math.min(PROGRESS_EVERY_NANOS, end - System.nanoTime());
      TimeUnit.NANOSECONDS.sleep(Math.max(0, step));
      if (window != null) {
        long ok = 0;
        for (RequestType t : RequestType.values()) {
          ok += window.successes(t);
        }
        progress.printf("  %s: %d requests, %d errors%n", phase, ok, window.errors());
      }
    }
  }

  /** Waits, bounded by the request timeout, for requests other than long-polls to complete. */
  private void drain(List<BackendClient> clients) throws InterruptedException {
    long end = System.nanoTime() + settings.requestTimeout().toNanos();
    while (System.nanoTime() < end) {
      int inFlight = clients.stream().mapToInt(BackendClient::inFlight).sum();
      if (inFlight == 0) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    progress.println("  some requests were still in flight when the run ended");
  }

  private void sampleAll(List<ProcessSampler> samplers) {
    for (ProcessSampler s : samplers) {
      try {
        s.sample();
      } catch (IOException | RuntimeException e) {
        progress.println("  cannot sample process " + s.pid() + ": " + e);
      }
    }
  }

  private static long remainingMs(long deadlineNanos) {
    return Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** USER_HZ from {@code getconf CLK_TCK}; 100, the value on every mainstream Linux, otherwise. */
  private long clockTicksPerSecond() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return 100;
      }
      String out =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
              .trim();
      return p.exitValue() == 0 ? Long.parseLong(out) : 100;
    } catch (IOException | NumberFormatException e) {
      progress.println("  getconf CLK_TCK failed (" + e + "); assuming 100 ticks per second");
      return 100;
    }
  }
}
