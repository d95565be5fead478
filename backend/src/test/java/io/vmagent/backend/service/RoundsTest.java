package io.vmagent.backend.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The pace of background rounds, with jobs standing in for the migrations and drains so a round can
 * be held open at the moment work begins (a database query cannot be paused on demand). The idle
 * period is an hour: a second round in time comes only from a wake-up or from work under way.
 */
class RoundsTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @Test
  void workBegunWhileARoundRunsGetsARoundOfItsOwn() throws Exception {
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CountDownLatch second = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    try (Rounds rounds = new Rounds("rounds-test", HOUR, HOUR)) {
      rounds.add(
          () -> {
            if (calls.incrementAndGet() == 1) {
              firstRunning.countDown();
              await(releaseFirst);
            } else {
              second.countDown();
            }
            return false;
          });
      rounds.wake();
      assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
      // The first round may have read its work already: this one must not be lost in it.
      rounds.wake();
      releaseFirst.countDown();
      assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void roundsFollowAtTheBusyPaceWhileAJobHasWorkUnderWay() throws Exception {
    CountDownLatch threeRounds = new CountDownLatch(3);
    try (Rounds rounds = new Rounds("rounds-test", Duration.ofMillis(10), HOUR)) {
      rounds.add(
          () -> {
            threeRounds.countDown();
            return true;
          });
      rounds.wake();
      assertThat(threeRounds.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aJobThatFailsNeitherStopsTheOthersNorEndsTheRounds() throws Exception {
    CountDownLatch secondJobTwice = new CountDownLatch(2);
    try (Rounds rounds = new Rounds("rounds-test", Duration.ofMillis(10), HOUR)) {
      rounds.add(
          () -> {
            throw new IllegalStateException("a fault injected by the test");
          });
      rounds.add(
          () -> {
            secondJobTwice.countDown();
            return false;
          });
      rounds.wake();
      assertThat(secondJobTwice.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
