package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmagent.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KeyedSerialExecutorTest {

  @Test
  void tasksOfOneKeyNeverOverlapAndRunInSubmissionOrder() throws Exception {
    try (KeyedSerialExecutor executor = new KeyedSerialExecutor("test-", 4, 1000)) {
      AtomicInteger running = new AtomicInteger();
      AtomicInteger maxRunning = new AtomicInteger();
      List<Integer> order = new ArrayList<>();
      List<CompletableFuture<Integer>> futures = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        futures.add(
            executor.submit(
                "vm-a",
                () -> {
                  maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                  Thread.sleep(0, 200_000);
                  synchronized (order) {
                    order.add(n);
                  }
                  running.decrementAndGet();
                  return n;
                }));
      }
      CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
          .get(30, TimeUnit.SECONDS);

      assertThat(maxRunning.get()).isEqualTo(1);
      assertThat(order).isSorted().hasSize(200);
    }
  }

  @Test
  void tasksOfDifferentKeysOverlap() throws Exception {
    try (KeyedSerialExecutor executor = new KeyedSerialExecutor("test-", 4, 10)) {
      CountDownLatch bothRunning = new CountDownLatch(2);
      CompletableFuture<Boolean> a =
          executor.submit(
              "vm-a",
              () -> {
                bothRunning.countDown();
                return bothRunning.await(5, TimeUnit.SECONDS);
              });
      CompletableFuture<Boolean> b =
          executor.submit(
              "vm-b",
              () -> {
                bothRunning.countDown();
                return bothRunning.await(5, TimeUnit.SECONDS);
              });

      assertThat(a.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(b.get(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aBusyKeyDoesNotHoldBackOtherKeysBeyondThePoolSize() throws Exception {
    try (KeyedSerialExecutor executor = new KeyedSerialExecutor("test-", 2, 100)) {
      CountDownLatch release = new CountDownLatch(1);
      for (int i = 0; i < 50; i++) {
        var unused = executor.submit("vm-a", () -> release.await(10, TimeUnit.SECONDS));
      }
      // vm-a's 50 queued tasks occupy one thread at most, so vm-b still runs.
      assertThat(executor.submit("vm-b", () -> "done").get(5, TimeUnit.SECONDS)).isEqualTo("done");
      release.countDown();
    }
  }

  @Test
  void aFailingTaskFailsOnlyItsOwnFuture() throws Exception {
    try (KeyedSerialExecutor executor = new KeyedSerialExecutor("test-", 1, 10)) {
      CompletableFuture<Object> failing =
          executor.submit(
              "vm-a",
              () -> {
                throw new IllegalStateException("boom");
              });
      CompletableFuture<String> next = executor.submit("vm-a", () -> "after");

      assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("after");
      assertThat(failing).isCompletedExceptionally();
    }
  }

  @Test
  void tooManyWaitingTasksForOneKeyAreRefused() {
    try (KeyedSerialExecutor executor = new KeyedSerialExecutor("test-", 1, 2)) {
      CountDownLatch release = new CountDownLatch(1);
      // one running, two waiting: the limit
      for (int i = 0; i < 3; i++) {
        var unused = executor.submit("vm-a", () -> release.await(10, TimeUnit.SECONDS));
      }
      assertThatExceptionOfType(VmOperationException.class)
          .isThrownBy(() -> executor.submit("vm-a", () -> null))
          .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE));
      release.countDown();
    }
  }
}
