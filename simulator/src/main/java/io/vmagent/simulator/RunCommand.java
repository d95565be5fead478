package io.vmagent.simulator;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vm-fleet-sim run}: one bounded run of a simulated fleet against live backends. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Registers N simulated agents (a storm, --register-concurrency at a time), lets them",
      "heartbeat, send metrics, long-poll and answer commands for --warmup then --duration,",
      "and reports throughput, latency percentiles per request type, errors, and the CPU and",
      "RSS of the --backend-pid processes. Tokens are read from files or the environment",
      "(VM_SIM_BOOTSTRAP_TOKEN, VM_SIM_OPERATOR_TOKEN), never from the command line."
    },
    sortOptions = false)
final class RunCommand implements Callable<Integer> {
  @Option(names = "--backend", required = true, description = "Backend URL (repeat for more).")
  List<URI> backends = new ArrayList<>();

  @Option(names = "--ca", required = true, description = "CA certificate PEM (repeatable).")
  List<Path> caFiles = new ArrayList<>();

  @Option(names = "--bootstrap-token-file", description = "File holding the bootstrap token.")
  Path bootstrapTokenFile;

  @Option(names = "--operator-token-file", description = "File holding the operator token.")
  Path operatorTokenFile;

  @Option(
      names = {"-n", "--agents"},
      defaultValue = "100",
      description = "Agents. Default 100.")
  int agents;

  @Option(
      names = "--agent-id-prefix",
      defaultValue = "sim-",
      description = "Agent ids are PREFIX + index. Default sim-.")
  String agentIdPrefix;

  @Option(
      names = "--heartbeat",
      defaultValue = "30",
      description = "Heartbeat seconds. Default 30.")
  long heartbeatSeconds;

  @Option(names = "--metrics", defaultValue = "60", description = "Metrics seconds. Default 60.")
  long metricsSeconds;

  @Option(
      names = "--poll-wait",
      defaultValue = "25",
      description = "Long-poll wait seconds. Default 25 (the agent's).")
  int pollWait;

  @Option(
      names = "--timeout",
      defaultValue = "30",
      description = "Request timeout seconds (not long-polls). Default 30.")
  long timeoutSeconds;

  @Option(names = "--vms", defaultValue = "10", description = "VMs per agent. Default 10.")
  int vms;

  @Option(
      names = "--inventory-every",
      defaultValue = "1",
      description =
          "Send the VM inventory every N heartbeats. Default 1 (every one, as the agent).")
  int inventoryEvery;

  @Option(
      names = "--register-concurrency",
      defaultValue = "200",
      description = "Registrations in flight at once. Default 200.")
  int registerConcurrency;

  @Option(
      names = "--register-timeout",
      defaultValue = "300",
      description = "Seconds the registration storm may take. Default 300.")
  long registerTimeoutSeconds;

  @Option(names = "--warmup", defaultValue = "15", description = "Warm-up seconds. Default 15.")
  long warmupSeconds;

  @Option(
      names = "--duration",
      defaultValue = "120",
      description = "Measured steady seconds. Default 120.")
  long durationSeconds;

  @Option(
      names = "--commands-per-second",
      defaultValue = "0",
      description = "Operator commands queued per second. Default 0 (none).")
  double commandsPerSecond;

  @Option(
      names = "--command-operation",
      defaultValue = "info",
      description = "Operation of the queued commands. Default info.")
  String commandOperation;

  @Option(names = "--backend-pid", description = "Backend process to sample (repeatable).")
  List<Long> backendPids = new ArrayList<>();

  @Option(names = "--sample-every", defaultValue = "2", description = "Sampling s. Default 2.")
  long sampleSeconds;

  @Option(names = "--http-threads", defaultValue = "4", description = "HTTP threads. Default 4.")
  int httpThreads;

  @Option(names = "--p99-limit-ms", defaultValue = "100", description = "Verdict p99. Default 100.")
  double p99LimitMs;

  @Option(names = "--label", defaultValue = "", description = "Label of the run in the report.")
  String label;

  @Option(names = "--report", description = "Write the JSON report to this file.")
  Path report;

  @Override
  public Integer call() throws Exception {
    SimSettings settings =
        new SimSettings(
            backends,
            caFiles,
            secret(bootstrapTokenFile, "VM_SIM_BOOTSTRAP_TOKEN"),
            secret(operatorTokenFile, "VM_SIM_OPERATOR_TOKEN"),
            agents,
            agentIdPrefix,
            Duration.ofSeconds(heartbeatSeconds),
            Duration.ofSeconds(metricsSeconds),
            pollWait,
            Duration.ofSeconds(timeoutSeconds),
            vms,
            inventoryEvery,
            registerConcurrency,
            Duration.ofSeconds(registerTimeoutSeconds),
            Duration.ofSeconds(warmupSeconds),
            Duration.ofSeconds(durationSeconds),
            commandsPerSecond,
            commandOperation,
            backendPids,
            Duration.ofSeconds(sampleSeconds),
            httpThreads,
            p99LimitMs,
            label,
            report);
    List<String> problems = settings.validate();
    if (!problems.isEmpty()) {
      problems.forEach(p -> System.err.println("vm-fleet-sim: " + p));
      return 2;
    }
    FleetReport result = new FleetRun(settings, System.err).run();
    System.out.print(summary(result));
    if (report != null) {
      Files.write(
          report,
          ProtocolJson.tolerantMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsBytes(result));
    }
    return result.holds() ? 0 : 1;
  }

  private static String secret(Path file, String env) throws IOException {
    if (file != null) {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    String value = System.getenv(env);
    return value == null ? null : value.trim();
  }

  static String summary(FleetReport r) {
    StringBuilder out = new StringBuilder();
    out.append(headline(r));
    out.append(registration(r.registration()));
    out.append(steady(r.steady()));
    r.errors()
        .forEach(
            (reason, n) ->
                out.append("error: ").append(reason).append(" x").append(n).append('\n'));
    for (ProcessUsage p : r.backendProcesses()) {
      out.append(usage(p));
    }
    out.append(usage(r.simulator()));
    out.append(cpuPerRequest(r));
    out.append(
        String.format(
            Locale.ROOT,
            "machine: %.1f %% of all cores busy, load %s -> %s; simulator scheduler lag max %.1f"
                + " ms%n",
            r.machineBusyPercent(),
            r.loadAverageBefore(),
            r.loadAverageAfter(),
            r.schedulerLagMaxMs()));
    return out.toString();
  }

  private static String headline(FleetReport r) {
    return String.format(
        Locale.ROOT,
        "%d agents, %s, %d backend(s): %.1f req/s over %.0f s, %d errors, worst p99 %.2f ms"
            + " -> %s%n",
        r.agents(),
        r.label(),
        r.backends().size(),
        r.requestsPerSecond(),
        r.steadySeconds(),
        r.totalErrors(),
        r.worstP99Ms(),
        r.holds() ? "holds" : "does not hold");
  }

  private static String registration(FleetReport.Registration reg) {
    return String.format(
        Locale.ROOT,
        "registration storm: %d registered in %.1f s (%.1f/s), p99 %s ms%n",
        reg.registered(),
        reg.seconds(),
        reg.perSecond(),
        reg.latency() == null ? "-" : ReportTable.fmt(reg.latency().p99Ms()));
  }

  /** The steady window's figures, a line a request type under a header. */
  private static String steady(Map<RequestType, LatencySummary> figures) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-20s %8s %7s %8s %9s %9s %9s %9s%n",
            "type",
            "count",
            "errors",
            "per s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms"));
    for (Map.Entry<RequestType, LatencySummary> e : figures.entrySet()) {
      LatencySummary s = e.getValue();
      out.append(
          String.format(
              Locale.ROOT,
              "%-20s %8d %7d %8.1f %9.2f %9.2f %9.2f %9.2f%n",
              e.getKey().name().toLowerCase(Locale.ROOT),
              s.count(),
              s.errors(),
              s.perSecond(),
              s.p50Ms(),
              s.p95Ms(),
              s.p99Ms(),
              s.maxMs()));
    }
    return out.toString();
  }

  /**
   * The backends' whole CPU divided by the requests of the window, then each route's handling CPU
   * (from the backend's own counter, when it has one).
   */
  private static String cpuPerRequest(FleetReport r) {
    StringBuilder out = new StringBuilder();
    double cpuPercent = r.backendProcesses().stream().mapToDouble(ProcessUsage::cpuPercent).sum();
    if (r.requestsPerSecond() > 0) {
      out.append(
          String.format(
              Locale.ROOT,
              "backend CPU per request (process CPU / requests): %.0f us%n",
              cpuPercent * 1e4 / r.requestsPerSecond()));
    }
    if (!r.backendCpuByRoute().isEmpty()) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-64s %9s %12s %13s%n",
              "route",
              "requests",
              "CPU us/req",
              "alloc KiB/req"));
      r.backendCpuByRoute()
          .forEach(
              (route, cost) ->
                  out.append(
                      String.format(
                          Locale.ROOT,
                          "%-64s %9d %12.1f %13.1f%n",
                          route,
                          cost.requests(),
                          cost.cpuMicrosPerRequest(),
                          cost.kibPerRequest())));
    }
    return out.toString();
  }

  private static String usage(ProcessUsage p) {
    return String.format(
        Locale.ROOT,
        "%s pid %d: CPU %.1f %% of a core (peak %.1f), RSS %.1f MiB (max %.1f), threads %d%s%n",
        p.role(),
        p.pid(),
        p.cpuPercent(),
        p.cpuPercentPeak(),
        p.rssMib(),
        p.rssMibMax(),
        p.threadsMax(),
        p.alive() ? "" : " (exited)");
  }
}
