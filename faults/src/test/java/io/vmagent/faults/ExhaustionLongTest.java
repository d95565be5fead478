package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.AgentVersions;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.LibvirtHealth;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.testing.BackendProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exhaustion attack at full size, measured: 100 honest agents heartbeat every two seconds
 * against a backend in its own JVM with the launcher's heap, first alone, then while one client, in
 * a process and an address (127.0.0.2) of its own, holds 14,000 slow connections and loops 4,000
 * long polls with one agent's token. Prints the honest agents' heartbeat latency for both halves
 * side by side (docs/reliability.md).
 */
@Tag("faults-long")
class ExhaustionLongTest {
  private static final int HONEST = 100;
  private static final Duration PHASE = Duration.ofSeconds(45);

  @TempDir Path dir;

  private record Beat(boolean underAttack, long millis, int status, long startedNanos) {}

  @Test
  void honestAgentsKeepTheirHeartbeatLatencyWhileOneClientFloodsTheBackend() throws Exception {
    try (BackendProcess backend = BackendProcess.start(dir.resolve("data"))) {
      OperatorClient operator =
          OperatorClient.create(backend.baseUrl(), backend.caPem(), backend.operatorToken());
      String token =
          operator.createBootstrapToken(new CreateBootstrapTokenRequest("x", false, null)).token();
      Api api = new Api(backend.baseUrl(), backend.caPem());
      List<String[]> honest = new ArrayList<>();
      for (int i = 0; i < HONEST; i++) {
        honest.add(new String[] {"honest-" + i, register(api, token, "honest-" + i)});
      }
      String attackerToken = register(api, token, "attacker");

      ConcurrentLinkedQueue<Beat> beats = new ConcurrentLinkedQueue<>();
      boolean[] underAttack = {false};
      ScheduledExecutorService heartbeats = Executors.newScheduledThreadPool(16);
      List<java.util.concurrent.Future<?>> scheduled = new ArrayList<>();
      for (int i = 0; i < HONEST; i++) {
        String[] agent = honest.get(i);
        scheduled.add(
            heartbeats.scheduleAtFixedRate(
                () -> {
                  boolean phase = underAttack[0];
                  long started = System.nanoTime();
                  Api.Answer answer =
                      api.post(
                          ProtocolPaths.heartbeat(agent[0]),
                          agent[1],
                          new HeartbeatRequest(
                              HealthStatus.HEALTHY,
                              List.of(),
                              1,
                              new AgentVersions("0.2.0", null, null, null, null),
                              new LibvirtHealth(true, "test:///default", null, 1L),
                              0,
                              true,
                              List.of(),
                              null,
                              2,
                              null));
                  beats.add(
                      new Beat(
                          phase,
                          (System.nanoTime() - started) / 1_000_000,
                          answer.status(),
                          started));
                },
                i * 20L,
                2_000,
                TimeUnit.MILLISECONDS));
      }
      Thread.sleep(PHASE.toMillis());

      underAttack[0] = true;
      ProcessBuilder attack =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx1g",
                  "-cp",
                  System.getProperty("java.class.path"),
                  Attacker.class.getName(),
                  backend.baseUrl().toString(),
                  backend.caPem().toString(),
                  "attacker",
                  System.getProperty("exhaustion.slow", "14000"),
                  System.getProperty("exhaustion.polls", "4000"),
                  Long.toString(PHASE.toSeconds() + 15))
              .redirectErrorStream(true);
      attack.environment().put("ATTACK_TOKEN", attackerToken);
      Process attacker = attack.start();
      long attackStarted = System.nanoTime();
      Thread.sleep(15_000); // the flood builds up before it is measured
      beats.removeIf(Beat::underAttack);
      Thread.sleep(PHASE.toMillis() - 15_000);
      heartbeats.shutdown();
      heartbeats.awaitTermination(30, TimeUnit.SECONDS);
      // Taken once the heartbeats are measured: the full collection it forces would be measured
      // as theirs. The attack goes on for another 15 s.
      long heapDuringAttack = backend.heapUsedMib();
      String attackReport =
          new String(attacker.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      attacker.waitFor(120, TimeUnit.SECONDS);

      String off = summary(beats, false);
      String on = summary(beats, true);
      System.out.println("FIGURE honest heartbeats, attack off: " + off);
      System.out.println("FIGURE honest heartbeats, attack on:  " + on);
      System.out.println(
          "FIGURE backend heap after a full GC during the attack: " + heapDuringAttack + " MiB");
      System.out.println(
          "FIGURE attack on, by 5 s since it started: " + timeline(beats, attackStarted));
      System.out.println("FIGURE " + attackReport.strip().replace('\n', ' '));

      assertThat(backend.aliveAfter(Duration.ofSeconds(1))).as(backend.output()).isTrue();
      assertThat(backend.output()).doesNotContain("OutOfMemoryError");
      assertThat(scheduled)
          .as("heartbeat loops that died on an exception instead of being stopped")
          .allMatch(java.util.concurrent.Future::isCancelled);
      assertThat(beats.stream().filter(b -> b.status() != 200).count())
          .as("honest heartbeats refused or failed")
          .isZero();
      // The latency is printed for docs/reliability.md (a p99 under 250 ms is the goal), not
      // asserted: what is asserted is that nothing an honest agent sends is lost or refused.
    }
  }

  private static String register(Api api, String token, String agentId) {
    Api.Answer answer =
        api.post(
            ProtocolPaths.REGISTER,
            token,
            new RegisterRequest(
                agentId, agentId, "host", "0.2.0", "test:///default", null, List.of("list"), 2));
    return answer.json().get("access_token").asText();
  }

  private static long percentile(ConcurrentLinkedQueue<Beat> beats, boolean underAttack, double p) {
    List<Long> sorted =
        new ArrayList<>(
            beats.stream().filter(b -> b.underAttack() == underAttack).map(Beat::millis).toList());
    Collections.sort(sorted);
    return sorted.isEmpty() ? -1 : sorted.get((int) Math.min(sorted.size() - 1, sorted.size() * p));
  }

  /** The p99 and max of each 5 s window since the attack started: where the slow ones fall. */
  private static String timeline(ConcurrentLinkedQueue<Beat> beats, long attackStarted) {
    java.util.TreeMap<Long, List<Long>> windows = new java.util.TreeMap<>();
    for (Beat beat : beats) {
      if (beat.underAttack()) {
        long window = (beat.startedNanos() - attackStarted) / 5_000_000_000L * 5;
        windows.computeIfAbsent(window, w -> new ArrayList<>()).add(beat.millis());
      }
    }
    StringBuilder out = new StringBuilder();
    windows.forEach(
        (window, millis) -> {
          Collections.sort(millis);
          out.append(
              String.format(
                  "%n  %3d-%3d s: %4d beats, p99 %5d ms, max %5d ms",
                  window,
                  window + 5,
                  millis.size(),
                  millis.get((int) Math.min(millis.size() - 1, millis.size() * 0.99)),
                  millis.get(millis.size() - 1)));
        });
    return out.toString();
  }

  private static String summary(ConcurrentLinkedQueue<Beat> beats, boolean underAttack) {
    long count = beats.stream().filter(b -> b.underAttack() == underAttack).count();
    long errors =
        beats.stream().filter(b -> b.underAttack() == underAttack && b.status() != 200).count();
    return count
        + " heartbeats, "
        + errors
        + " not 200, p50 "
        + percentile(beats, underAttack, 0.50)
        + " ms, p99 "
        + percentile(beats, underAttack, 0.99)
        + " ms, max "
        + percentile(beats, underAttack, 1.0)
        + " ms";
  }
}
