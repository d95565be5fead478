package io.vmagent.simulator;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one simulator run needs, validated once by {@link #validate()}.
 *
 * @param backends the backend base URLs; agent i talks to backend i modulo their number
 * @param caFiles PEM files of the CAs that sign the backends' certificates
 * @param bootstrapToken the (multi-use) bootstrap token the agents register with; when null, one is
 *     created through the operator API
 * @param operatorToken the operator token, needed to queue commands or create the bootstrap token
 * @param agents how many agents to simulate
 * @param agentIdPrefix agent ids are this prefix followed by the agent's index
 * @param heartbeat interval between heartbeats
 * @param metrics interval between metrics batches
 * @param pollWaitSeconds the long-poll wait asked of the backend
 * @param requestTimeout timeout of every request other than a long-poll
 * @param vmsPerAgent VMs in each agent's inventory and metrics snapshot
 * @param inventoryEvery the heartbeat carries the VM inventory every this many heartbeats
 * @param registerConcurrency registrations in flight at once during the storm
 * @param registerTimeout how long the registration storm may take before the run goes on
 * @param warmup time after registration that is measured separately, not in the steady window
 * @param duration length of the measured steady window
 * @param commandsPerSecond operator commands queued per second (0 for none)
 * @param commandOperation the operation of the queued commands
 * @param backendPids backend processes whose CPU and RSS are sampled
 * @param sampleEvery how often processes are sampled
 * @param httpThreads threads completing HTTP exchanges
 * @param p99LimitMs the p99 a run must stay under to be said to hold
 * @param label free text naming the run in the report (e.g. the database)
 * @param report where to write the JSON report; null for none
 */
public record SimSettings(
    List<URI> backends,
    List<Path> caFiles,
    String bootstrapToken,
    String operatorToken,
    int agents,
    String agentIdPrefix,
    Duration heartbeat,
    Duration metrics,
    int pollWaitSeconds,
    Duration requestTimeout,
    int vmsPerAgent,
    int inventoryEvery,
    int registerConcurrency,
    Duration registerTimeout,
    Duration warmup,
    Duration duration,
    double commandsPerSecond,
    String commandOperation,
    List<Long> backendPids,
    Duration sampleEvery,
    int httpThreads,
    double p99LimitMs,
    String label,
    Path report) {

  /** Copies the lists. */
  public SimSettings {
    backends = List.copyOf(backends);
    caFiles = List.copyOf(caFiles);
    backendPids = List.copyOf(backendPids);
  }

  /** Every problem with these settings at once; an empty list when they are usable. */
  public List<String> validate() {
    List<String> problems = new ArrayList<>();
    checkBackends(problems);
    checkLoad(problems);
    return problems;
  }

  /** The backends, their CAs and the tokens to reach them with. */
  private void checkBackends(List<String> problems) {
    if (backends.isEmpty()) {
      problems.add("at least one --backend is needed");
    }
    for (URI uri : backends) {
      if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
        problems.add("backend URL must be https://HOST:PORT, got " + uri);
      }
    }
    if (caFiles.isEmpty()) {
      problems.add("at least one --ca file is needed");
    }
    for (Path ca : caFiles) {
      if (!java.nio.file.Files.isReadable(ca)) {
        problems.add("CA file " + ca + " is not readable");
      }
    }
    if (blank(bootstrapToken) && blank(operatorToken)) {
      problems.add(
          "a bootstrap token (--bootstrap-token-file, VM_SIM_BOOTSTRAP_TOKEN) or an operator"
              + " token to create one with (--operator-token-file) is needed");
    }
    if (commandsPerSecond > 0 && blank(operatorToken)) {
      problems.add("queuing commands needs an operator token (--operator-token-file)");
    }
  }

  /** The fleet's size and pace, and the run's length. */
  private void checkLoad(List<String> problems) {
    range(problems, "agents", agents, 1, 100_000);
    if (!agentIdPrefix.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,40}")) {
      problems.add("agent id prefix must be 1-41 of A-Za-z0-9._- starting alphanumeric");
    }
    range(problems, "heartbeat seconds", heartbeat.toSeconds(), 1, 3600);
    range(problems, "metrics seconds", metrics.toSeconds(), 1, 86_400);
    range(problems, "poll wait seconds", pollWaitSeconds, 1, 30);
    range(problems, "request timeout seconds", requestTimeout.toSeconds(), 1, 300);
    range(problems, "VMs per agent", vmsPerAgent, 0, 500);
    range(problems, "inventory every", inventoryEvery, 1, 1_000_000);
    range(problems, "register concurrency", registerConcurrency, 1, 10_000);
    range(problems, "register timeout seconds", registerTimeout.toSeconds(), 1, 3600);
    range(problems, "warm-up seconds", warmup.toSeconds(), 0, 3600);
    range(problems, "duration seconds", duration.toSeconds(), 1, 86_400);
    if (!(commandsPerSecond >= 0 && commandsPerSecond <= 1000)) {
      problems.add("commands per second must be in [0, 1000], got " + commandsPerSecond);
    }
    if (!commandOperation.matches("[a-z][a-z0-9_]{0,31}")) {
      problems.add("command operation must look like an operation name, got " + commandOperation);
    }
    range(problems, "sample seconds", sampleEvery.toSeconds(), 1, 600);
    range(problems, "HTTP threads", httpThreads, 1, 64);
    if (!(p99LimitMs > 0)) {
      problems.add("p99 limit must be positive, got " + p99LimitMs);
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /** A copy with this bootstrap token. */
  SimSettings withBootstrapToken(String token) {
    return new SimSettings(
        backends,
        caFiles,
        token,
        operatorToken,
        agents,
        agentIdPrefix,
        heartbeat,
        metrics,
        pollWaitSeconds,
        requestTimeout,
        vmsPerAgent,
        inventoryEvery,
        registerConcurrency,
        registerTimeout,
        warmup,
        duration,
        commandsPerSecond,
        commandOperation,
        backendPids,
        sampleEvery,
        httpThreads,
        p99LimitMs,
        label,
        report);
  }

  private static void range(List<String> problems, String what, long value, long min, long max) {
    if (value < min || value > max) {
      problems.add(what + " must be in [" + min + ", " + max + "], got " + value);
    }
  }

  /** Keeps the tokens out of logs and exception messages. */
  @Override
  public String toString() {
    return "SimSettings[backends=" + backends + ", agents=" + agents + ", label=" + label + "]";
  }
}
