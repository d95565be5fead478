package io.vmagent.benchmarks;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.QueueCommandRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Command latency through the operator API: queues commands one after another for one agent and
 * waits (long-polling, no client-side polling) for each result, then prints percentiles of the time
 * from the command's {@code created_at} at the backend to the operator seeing its stored result,
 * and of the parts of that time. Run by benchmarks/command-latency.sh as a source file against the
 * backend jar.
 */
public final class CommandLatency {
  /** Above the goal's p99 (250 ms): such commands are listed one by one on stderr. */
  private static final long SLOW_MICROS = 250_000;

  private CommandLatency() {}

  /** Timings of one command, in microseconds. */
  record Sample(long total, long delivery, long run, long report, long client) {}

  /** {@code CommandLatency URL CA_PEM TOKEN_FILE AGENT_ID VM COUNT WARMUP OPERATION...}. */
  public static void main(String[] args) throws Exception {
    if (args.length < 8) {
      System.err.println(
          "usage: CommandLatency URL CA_PEM TOKEN_FILE AGENT_ID VM COUNT WARMUP OPERATION...");
      System.exit(2);
    }
    OperatorClient client =
        OperatorClient.create(
            URI.create(args[0]),
            Path.of(args[1]),
            Files.readString(Path.of(args[2]), StandardCharsets.UTF_8).strip());
    String agent = args[3];
    String vm = args[4];
    int count = Integer.parseInt(args[5]);
    int warmup = Integer.parseInt(args[6]);
    List<String> operations = Arrays.asList(args).subList(7, args.length);

    for (int i = 0; i < warmup; i++) {
      run(client, agent, vm, operations.get(i % operations.size()));
    }
    Map<String, List<Sample>> byOperation = new LinkedHashMap<>();
    List<Sample> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String operation = operations.get(i % operations.size());
      Sample sample = run(client, agent, vm, operation);
      byOperation.computeIfAbsent(operation, o -> new ArrayList<>()).add(sample);
      all.add(sample);
    }
    String label = String.join("/", operations);
    System.out.println(
        "| Commands | n | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | p50 delivery (ms) | p50 run"
            + " on agent (ms) | p50 report (ms) | p50 client round trip (ms) | p99 client round"
            + " trip (ms) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    print(label, all);
    if (byOperation.size() > 1) {
      byOperation.forEach(CommandLatency::print);
    }
  }

  private static Sample run(OperatorClient client, String agent, String vm, String operation)
      throws Exception {
    long before = System.nanoTime();
    CommandView queued =
        client.queueCommand(
            new QueueCommandRequest(agent, operation, Map.of(Command.PARAM_VM, vm), 60));
    CommandView done = client.awaitCommand(queued.id(), Duration.ofSeconds(60));
    Instant seen = Instant.now();
    long after = System.nanoTime();
    if (done.state() != CommandState.SUCCEEDED) {
      throw new IllegalStateException(
          operation + " " + vm + " ended " + done.state().wire() + ": " + done.result());
    }
    Instant created = queued.createdAt();
    Instant started = done.result().startedAt();
    Instant finished = done.result().finishedAt();
    Sample sample =
        new Sample(
            micros(created, seen),
            micros(created, started),
            micros(started, finished),
            micros(finished, seen),
            (after - before) / 1_000);
    if (sample.total() > SLOW_MICROS) {
      // Named so the slow ones can be found in the agent's and the backend's logs.
      System.err.printf(
          Locale.ROOT,
          "slow: %s %s queued %s total %.1f ms (delivery %.1f, run %.1f, report %.1f)%n",
          operation,
          queued.id(),
          created,
          ms(sample.total()),
          ms(sample.delivery()),
          ms(sample.run()),
          ms(sample.report()));
    }
    return sample;
  }

  private static long micros(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1_000;
  }

  private static void print(String label, List<Sample> samples) {
    long[] total = sorted(samples, Sample::total);
    long[] delivery = sorted(samples, Sample::delivery);
    long[] run = sorted(samples, Sample::run);
    long[] report = sorted(samples, Sample::report);
    long[] client = sorted(samples, Sample::client);
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
        label,
        samples.size(),
        ms(pct(total, 50)),
        ms(pct(total, 90)),
        ms(pct(total, 99)),
        ms(total[total.length - 1]),
        ms(pct(delivery, 50)),
        ms(pct(run, 50)),
        ms(pct(report, 50)),
        ms(pct(client, 50)),
        ms(pct(client, 99)));
  }

  private static long[] sorted(List<Sample> samples, java.util.function.ToLongFunction<Sample> f) {
    return samples.stream().mapToLong(f).sorted().toArray();
  }

  /** Nearest-rank percentile. */
  private static long pct(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
