package io.vmagent.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.agent.backend.BackendHttpException;
import io.vmagent.protocol.ErrorCode;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  @TempDir Path dir;
  private final List<String> delivered = new ArrayList<>();

  @Test
  void recordsWaitWhileTheBackendIsAwayThenArriveInOrder() throws Exception {
    boolean[] away = {true};
    try (DurableQueue queue = new DurableQueue("results", dir, 1024, 0)) {
      Spool drainer =
          new Spool(
              queue,
              2,
              Duration.ZERO,
              records -> {
                if (away[0]) {
                  throw new ConnectException("backend away");
                }
                records.forEach(r -> delivered.add(new String(r, StandardCharsets.UTF_8)));
              },
              null);
      for (int i = 0; i < 5; i++) {
        queue.append(("r" + i).getBytes(StandardCharsets.UTF_8));
      }

      assertThat(drainer.deliverOnce()).isFalse();
      assertThat(queue.depth()).isEqualTo(5);
      away[0] = false;
      assertThat(drainer.flush(System.nanoTime() + Duration.ofSeconds(5).toNanos())).isTrue();
    }

    assertThat(delivered).containsExactly("r0", "r1", "r2", "r3", "r4");
  }

  @Test
  void anIdleDrainerDeliversASignalledRecordAtOnceNotAtItsNextPoll() throws Exception {
    try (DurableQueue queue = new DurableQueue("results", dir, 1024, 0)) {
      java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(2);
      Spool drainer =
          new Spool(
              queue,
              10,
              Duration.ZERO,
              records -> {
                records.forEach(r -> delivered.add(new String(r, StandardCharsets.UTF_8)));
                records.forEach(r -> arrived.countDown());
              },
              null);
      Thread thread = new Thread(drainer, "spool-results");
      thread.start();
      try {
        queue.append("before-the-drainer-waits".getBytes(StandardCharsets.UTF_8));
        drainer.signal();
        Thread.sleep(200); // now idle, in its 30 s wait
        queue.append("while-it-waits".getBytes(StandardCharsets.UTF_8));
        drainer.signal();

        // Far below the idle wait: only the signal can have woken it.
        assertThat(arrived.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      } finally {
        drainer.stop();
        thread.join(5000);
      }
      assertThat(thread.isAlive()).isFalse();
      assertThat(queue.depth()).isZero();
    }

    assertThat(delivered).containsExactly("before-the-drainer-waits", "while-it-waits");
  }

  @Test
  void batchRefusedForGoodIsDroppedSoTheRestCanFlow() throws Exception {
    try (DurableQueue queue = new DurableQueue("events", dir, 1024, 0)) {
      Spool drainer =
          new Spool(
              queue,
              1,
              Duration.ZERO,
              records -> {
                String text = new String(records.get(0), StandardCharsets.UTF_8);
                if (text.equals("bad")) {
                  throw new BackendHttpException("POST /events", 400, ErrorCode.BAD_REQUEST, "bad");
                }
                delivered.add(text);
              },
              null);
      queue.append("bad".getBytes(StandardCharsets.UTF_8));
      queue.append("good".getBytes(StandardCharsets.UTF_8));

      assertThat(drainer.flush(System.nanoTime() + Duration.ofSeconds(5).toNanos())).isTrue();
    }

    assertThat(delivered).containsExactly("good");
  }

  @Test
  void rejectedCredentialsAreNotMistakenForABadRecord() throws Exception {
    try (DurableQueue queue = new DurableQueue("results", dir, 1024, 0)) {
      Spool drainer =
          new Spool(
              queue,
              1,
              Duration.ZERO,
              records -> {
                throw new BackendHttpException("POST /results", 401, ErrorCode.UNAUTHORIZED, null);
              },
              null);
      queue.append("kept".getBytes(StandardCharsets.UTF_8));

      assertThat(drainer.flush(System.nanoTime() + Duration.ofSeconds(5).toNanos())).isFalse();
      assertThat(queue.depth()).isEqualTo(1);
    }
  }
}
