package io.vmagent.backend.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The waiting side of long polls, with a lease function standing in for the database so the test
 * can hold a lease query open at the moment a command is queued (a real database cannot be paused
 * mid-query on demand). The re-check period is an hour, so only a wake-up can answer in time.
 */
class LongPollsTest {
  private static final String AGENT = "agent-1";
  private static final Command COMMAND =
      new Command(
          "c-1",
          "pause",
          Map.of("vm", "vm-0000"),
          Instant.parse("2030-01-01T00:00:00Z"),
          Instant.parse("2030-01-01T00:00:00Z"),
          1,
          Instant.parse("2026-01-01T00:00:00Z"));

  /** Two workers, and a permit for every task that finished. */
  private static final class CountingPool extends ThreadPoolExecutor {
    final Semaphore finished = new Semaphore(0);

    CountingPool() {
      super(2, 2, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
    }

    @Override
    protected void afterExecute(Runnable task, Throwable error) {
      finished.release();
    }
  }

  @Test
  void aCommandQueuedWhileALeaseQueryRunsIsDeliveredWithoutWaitingForTheRecheck() throws Exception {
    AtomicBoolean committed = new AtomicBoolean();
    CountDownLatch firstLeaseRunning = new CountDownLatch(1);
    CountDownLatch releaseFirstLease = new CountDownLatch(1);
    AtomicInteger leases = new AtomicInteger();
    CountingPool pool = new CountingPool();
    try (LongPolls polls =
        new LongPolls(
            (agent, max) -> {
              if (leases.incrementAndGet() == 1) {
                // This query's snapshot predates the command: it answers empty whatever happens
                // while it runs.
                firstLeaseRunning.countDown();
                await(releaseFirstLease);
                return new CommandBatch(List.of());
              }
              return new CommandBatch(committed.get() ? List.of(COMMAND) : List.of());
            },
            Set::of,
            Duration.ofHours(1),
            pool)) {
      CompletableFuture<CommandBatch> answer = polls.await(AGENT, 10, Duration.ofSeconds(60));
      assertThat(firstLeaseRunning.await(10, TimeUnit.SECONDS)).isTrue();

      committed.set(true);
      polls.wake(AGENT);
      // The wake-up's attempt has run (and found the waiter held) before the first query ends.
      assertThat(pool.finished.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      releaseFirstLease.countDown();

      assertThat(answer.get(30, TimeUnit.SECONDS).commands()).containsExactly(COMMAND);
      assertThat(leases).hasValue(2);
      assertThat(polls.waitingCount()).isZero();
    }
  }

  @Test
  void aPollWhoseAgentWasNotWokenSinceItsLeaseDoesNotLeaseAgain() throws Exception {
    AtomicInteger leases = new AtomicInteger();
    try (LongPolls polls = nothingToLease(leases)) {
      polls.wake("another-agent"); // other agents' wake-ups do not count for this one
      long seen = polls.wakes(AGENT);
      CompletableFuture<CommandBatch> answer = polls.await(AGENT, 10, Duration.ofMillis(500), seen);
      assertThat(answer.get(30, TimeUnit.SECONDS).commands()).isEmpty();
      assertThat(leases).hasValue(0);
    }
  }

  @Test
  void aPollWhoseAgentWasWokenBetweenItsLeaseAndItsWaitLeasesAgainAtOnce() throws Exception {
    AtomicBoolean committed = new AtomicBoolean();
    AtomicInteger leases = new AtomicInteger();
    try (LongPolls polls =
        new LongPolls(
            (agent, max) -> {
              leases.incrementAndGet();
              return new CommandBatch(committed.get() ? List.of(COMMAND) : List.of());
            },
            Set::of,
            Duration.ofHours(1),
            new CountingPool())) {
      long seen = polls.wakes(AGENT);
      // The caller's own lease ran here and found nothing; then a command was queued and its
      // wake-up found no waiter yet.
      committed.set(true);
      polls.wake(AGENT);
      CompletableFuture<CommandBatch> answer = polls.await(AGENT, 10, Duration.ofMinutes(10), seen);
      assertThat(answer.get(30, TimeUnit.SECONDS).commands()).containsExactly(COMMAND);
      assertThat(leases).hasValue(1);
    }
  }

  @Test
  void aPollWithNothingToLeaseWaitsAndAnswersEmptyWhenItsWaitRunsOut() throws Exception {
    AtomicInteger leases = new AtomicInteger();
    try (LongPolls polls = nothingToLease(leases)) {
      CompletableFuture<CommandBatch> answer = polls.await(AGENT, 10, Duration.ofMillis(300));
      assertThat(answer.get(30, TimeUnit.SECONDS).commands()).isEmpty();
      assertThat(polls.waitingCount()).isZero();
      assertThat(leases.get()).isBetween(1, 2);
    }
  }

  @Test
  void anAgentHoldsAtMostItsCapOfWaitingPollsAndANewerOneAnswersTheOldestAtOnce() throws Exception {
    try (LongPolls polls =
        new LongPolls(
            (agent, max) -> new CommandBatch(List.of()),
            Set::of,
            Duration.ofHours(1),
            new CountingPool(),
            2)) {
      List<CompletableFuture<CommandBatch>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        answers.add(polls.await(AGENT, 10, Duration.ofMinutes(10)));
      }
      CompletableFuture<CommandBatch> other =
          polls.await("another-agent", 10, Duration.ofMinutes(10));
      for (int i = 0; i < 1_998; i++) {
        assertThat(answers.get(i).get(5, TimeUnit.SECONDS).commands()).isEmpty();
      }
      // Counted once the superseded polls that an attempt still held were let go and answered.
      assertThat(polls.waitingCount()).isEqualTo(3);
      assertThat(answers.get(1_998)).isNotDone();
      assertThat(answers.get(1_999)).isNotDone();
      assertThat(other).isNotDone();
    }
  }

  @Test
  void aPollHeldByALeaseWhenANewerOneArrivesIsAnsweredOnceTheLeaseLetsItGo() throws Exception {
    CountDownLatch firstLeaseRunning = new CountDownLatch(1);
    CountDownLatch releaseFirstLease = new CountDownLatch(1);
    AtomicInteger leases = new AtomicInteger();
    try (LongPolls polls =
        new LongPolls(
            (agent, max) -> {
              if (leases.incrementAndGet() == 1) {
                firstLeaseRunning.countDown();
                await(releaseFirstLease);
              }
              return new CommandBatch(List.of());
            },
            Set::of,
            Duration.ofHours(1),
            new CountingPool(),
            1)) {
      CompletableFuture<CommandBatch> older = polls.await(AGENT, 10, Duration.ofMinutes(10));
      assertThat(firstLeaseRunning.await(10, TimeUnit.SECONDS)).isTrue();
      // The older poll is held by its lease, so the newer one cannot answer it now.
      CompletableFuture<CommandBatch> newer = polls.await(AGENT, 10, Duration.ofMinutes(10));
      assertThat(older).isNotDone();

      releaseFirstLease.countDown();

      assertThat(older.get(30, TimeUnit.SECONDS).commands()).isEmpty();
      assertThat(newer).isNotDone();
      assertThat(polls.waitingCount()).isEqualTo(1);
    }
  }

  @Test
  void closingAnswersAWaitingPollEmptyAtOnce() throws Exception {
    LongPolls polls =
        new LongPolls(
            (agent, max) -> new CommandBatch(List.of()),
            Set::of,
            Duration.ofHours(1),
            new CountingPool());
    CompletableFuture<CommandBatch> answer = polls.await(AGENT, 10, Duration.ofMinutes(10));
    polls.close();
    assertThat(answer.get(30, TimeUnit.SECONDS).commands()).isEmpty();
    assertThat(polls.waitingCount()).isZero();
  }

  /** Polls whose every lease finds nothing, counted in {@code leases}; re-checked hourly. */
  private static LongPolls nothingToLease(AtomicInteger leases) {
    return new LongPolls(
        (agent, max) -> {
          leases.incrementAndGet();
          return new CommandBatch(List.of());
        },
        Set::of,
        Duration.ofHours(1),
        new CountingPool());
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the lease");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
