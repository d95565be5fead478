package io.vmagent.agent.spool;

import io.vmagent.agent.retry.Backoff;
import io.vmagent.agent.retry.ErrorAnswer;
import io.vmagent.agent.retry.Verdict;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream to the backend (results, events or metrics): its {@link DurableQueue}, delivered to
 * the backend in order on the spool's own thread ({@link #run()}): takes a batch from the head,
 * delivers it, and acknowledges it only after the backend accepted it. While the backend cannot be
 * reached it backs off ({@link Backoff}, up to {@link #MAX_PAUSE}) and the records wait on disk. A
 * record the backend refuses for good ({@link Verdict#PERMANENT}) is dropped with an error line so
 * it cannot block the queue forever. A backend that answers 429 with {@code Retry-After} (a quota,
 * such as metrics bytes per day) is not asked again before that time; meanwhile the records wait in
 * the spool, which drops its oldest past its bound.
 */
public final class Spool implements Runnable, AutoCloseable {
  /** Longest pause between delivery attempts while the backend is away. */
  public static final Duration MAX_PAUSE = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(Spool.class);
  private static final Backoff BACKOFF = Backoff.forLoop(Duration.ofSeconds(1), MAX_PAUSE);
  private static final Duration IDLE_WAIT = Duration.ofSeconds(30);
  // The longest quota window the backend has (a day), and a little more for its clock.
  private static final Duration MAX_QUOTA_PAUSE = Duration.ofHours(25);

  /** Sends a batch; throws when the backend did not accept it. */
  @FunctionalInterface
  public interface Delivery {
    void deliver(List<byte[]> records) throws IOException;
  }

  /** Told after each delivery attempt whether it reached the backend. */
  @FunctionalInterface
  public interface ContactListener {
    void contact(boolean reached);
  }

  private final String name;
  private final DurableQueue queue;
  private final int batchSize;
  private final Duration gather;
  private final Delivery delivery;
  private final ContactListener contact;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private volatile boolean stopping;
  private boolean signalled; // guarded by lock
  private int failures;
  private boolean away;
  private Duration askedToWait; // set by the last delivery when the backend asked for a pause

  /**
   * @param queue the records, named after what they are (log lines say {@code results}...)
   * @param batchSize most records per delivery
   * @param gather how long to wait after the first record for more to join its batch
   */
  public Spool(
      DurableQueue queue,
      int batchSize,
      Duration gather,
      Delivery delivery,
      ContactListener contact) {
    this.queue = Objects.requireNonNull(queue, "queue == null");
    this.name = queue.name();
    this.batchSize = batchSize;
    this.gather = gather;
    this.delivery = Objects.requireNonNull(delivery, "delivery == null");
    this.contact = contact;
  }

  /** The stream's name, e.g. {@code results}. */
  public String name() {
    return name;
  }

  /** Appends a record and wakes the delivery; {@code sync} forces it to disk first. */
  public void append(byte[] record, boolean sync) throws IOException {
    queue.append(record, sync);
    signal();
  }

  /** Records waiting. */
  public int depth() {
    return queue.depth();
  }

  /** Bytes waiting. */
  public long bytes() {
    return queue.bytes();
  }

  /** Records dropped because the queue was full. */
  public long dropped() {
    return queue.dropped();
  }

  /** Records were appended: deliver them without waiting for the next poll. */
  public void signal() {
    lock.lock();
    try {
      signalled = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Ends {@link #run()} after its current delivery. */
  public void stop() {
    stopping = true;
    signal();
  }

  @Override
  public void run() {
    try {
      while (!stopping) {
        step();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void step() throws InterruptedException {
    try {
      if (queue.depth() == 0) {
        // Every append signals, and a signal is never lost (a flag, kept until the next wait), so
        // this wait is only a safety net: a long one lets an idle agent sleep, where waking each
        // second cost three threads a wake-up a second (about 4 CPU seconds an hour).
        pause(IDLE_WAIT, true);
        return;
      }
      if (!gather.isZero() && queue.depth() < batchSize) {
        pause(gather, false);
      }
      if (deliverOnce()) {
        failures = 0;
      } else if (askedToWait != null) {
        Duration wait = askedToWait;
        askedToWait = null;
        pause(wait, false);
      } else {
        failures++;
        pause(BACKOFF.delay(failures), false);
      }
    } catch (IOException e) {
      // The queue itself failed (disk full, file removed): say so and retry later.
      log.error("{} spool cannot be read or updated: {}", name, e.toString());
      pause(MAX_PAUSE, false);
    }
  }

  /**
   * Delivers everything pending before {@code deadlineNanos} (a {@link System#nanoTime()} value, so
   * a step of the wall clock neither cuts the flush short nor stretches it); used at shutdown once
   * {@link #run()} has ended. Returns whether the queue is empty.
   */
  public boolean flush(long deadlineNanos) throws IOException {
    while (queue.depth() > 0 && System.nanoTime() - deadlineNanos < 0) {
      if (!deliverOnce()) {
        return false;
      }
    }
    return queue.depth() == 0;
  }

  /** One delivery of the head batch; false when the backend could not be reached. */
  boolean deliverOnce() throws IOException {
    List<byte[]> batch = queue.peek(batchSize);
    if (batch.isEmpty()) {
      return true;
    }
    try {
      delivery.deliver(batch);
      queue.ack(batch.size());
      reached(true);
      if (away) {
        away = false;
        log.info("backend reachable again; {} {} records still spooled", queue.depth(), name);
      }
      return true;
    } catch (ErrorAnswer e) {
      return refused(batch, e);
    } catch (IOException e) {
      unreachable(e);
      return false;
    }
  }

  /**
   * Acts on the backend's error answer as its {@link Verdict} says; true when the batch is gone.
   */
  private boolean refused(List<byte[]> batch, ErrorAnswer e) throws IOException {
    switch (e.verdict()) {
      case RATE_LIMITED -> {
        if (e.retryAfter().isEmpty()) {
          unreachable(e);
          return false;
        }
        reached(true);
        Duration wait = e.retryAfter().get();
        askedToWait = wait.compareTo(MAX_QUOTA_PAUSE) > 0 ? MAX_QUOTA_PAUSE : wait;
        log.warn(
            "backend asks for no more {} for {} s ({}); {} records wait in the spool",
            name,
            askedToWait.toSeconds(),
            e.getMessage(),
            queue.depth());
        return false;
      }
      case PERMANENT -> {
        reached(true);
        log.error(
            "backend refused {} spooled {} records for good; they are dropped: {}",
            batch.size(),
            name,
            e.getMessage());
        queue.ack(batch.size());
        return true;
      }
      default -> {
        unreachable(e);
        return false;
      }
    }
  }

  private void unreachable(IOException e) {
    reached(false);
    if (!away) {
      away = true;
      log.warn(
          "cannot deliver {} to the backend ({}); {} records kept in the spool, retrying with"
              + " backoff",
          name,
          e.getMessage(),
          queue.depth());
    } else {
      log.debug("{} delivery still failing: {}", name, e.toString());
    }
  }

  private void reached(boolean reached) {
    if (contact != null) {
      contact.contact(reached);
    }
  }

  private void pause(Duration duration, boolean untilSignal) throws InterruptedException {
    lock.lock();
    try {
      long nanos = duration.toNanos();
      if (!untilSignal) {
        // A signal only shortens the gather window or the idle wait, never a backoff.
        while (nanos > 0 && !stopping) {
          nanos = wake.awaitNanos(nanos);
        }
        return;
      }
      while (!signalled && nanos > 0 && !stopping) {
        nanos = wake.awaitNanos(nanos);
      }
      signalled = false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() throws IOException {
    queue.close();
  }
}
