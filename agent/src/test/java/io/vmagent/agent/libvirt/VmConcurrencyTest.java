package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VmConcurrencyTest {
  private LibvirtConnectionManager libvirt;
  private VmOperations ops;
  private ExecutorService callers;

  @BeforeEach
  void openHost() {
    libvirt = TestHost.connect();
    ops = new VmOperations(libvirt, Duration.ofSeconds(5), 4);
    callers = Executors.newFixedThreadPool(16);
  }

  @AfterEach
  void closeHost() throws InterruptedException {
    callers.shutdownNow();
    callers.awaitTermination(5, TimeUnit.SECONDS);
    ops.close();
    libvirt.close();
  }

  @Test
  void manyParallelStartsAndStopsOnOneVmAreSerializedToAConsistentState() throws Exception {
    List<Future<LifecycleResult>> futures = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      Callable<LifecycleResult> call =
          i % 2 == 0 ? () -> ops.start("idle-01") : () -> ops.stop("idle-01", StopOptions.forced());
      futures.add(callers.submit(call));
    }
    int starts = 0;
    int stops = 0;
    for (Future<LifecycleResult> future : futures) {
      LifecycleResult result = future.get(30, TimeUnit.SECONDS); // any interleaving would throw
      if (result.changed()) {
        assertThat(result.stateBefore()).isNotEqualTo(result.stateAfter());
        if (result.operation().equals("start")) {
          starts++;
        } else {
          stops++;
        }
      } else {
        assertThat(result.stateBefore()).isEqualTo(result.stateAfter());
      }
    }
    VmState finalState = ops.info("idle-01", false).vm().state();

    // Starting from shut off, every real start must be followed by a real stop before the next.
    assertThat(starts - stops).isBetween(0, 1);
    assertThat(finalState).isEqualTo(starts > stops ? VmState.RUNNING : VmState.SHUT_OFF);
  }

  @Test
  void parallelPauseAndResumeByNameAndUuidShareOneQueue() throws Exception {
    List<Future<LifecycleResult>> futures = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String ref = i % 3 == 0 ? "00000001-aaaa-4bbb-8ccc-000000000001" : "web-01";
      Callable<LifecycleResult> call = i % 2 == 0 ? () -> ops.pause(ref) : () -> ops.resume(ref);
      futures.add(callers.submit(call));
    }
    int pauses = 0;
    int resumes = 0;
    for (Future<LifecycleResult> future : futures) {
      LifecycleResult result = future.get(30, TimeUnit.SECONDS);
      if (result.changed()) {
        if (result.operation().equals("pause")) {
          pauses++;
        } else {
          resumes++;
        }
      }
    }

    assertThat(pauses - resumes).isBetween(0, 1);
    assertThat(ops.info("web-01", false).vm().state())
        .isEqualTo(pauses > resumes ? VmState.PAUSED : VmState.RUNNING);
  }

  @Test
  void operationsOnDifferentVmsAllSucceedInParallel() throws Exception {
    List<Future<LifecycleResult>> futures = new ArrayList<>();
    for (String vm : List.of("idle-01", "db-01", "saved-01")) {
      futures.add(callers.submit(() -> ops.start(vm)));
    }
    futures.add(callers.submit(() -> ops.pause("web-01")));
    futures.add(callers.submit(() -> ops.resume("cache-01")));

    for (Future<LifecycleResult> future : futures) {
      assertThat(future.get(30, TimeUnit.SECONDS).changed()).isTrue();
    }
    // 2 running before, 3 started, 1 paused, 1 resumed.
    assertThat(libvirt.withConnection("count domains", LibvirtFacts::read).counts())
        .containsEntry("running", 5)
        .containsEntry("paused", 1);
  }
}
