package io.vmagent.agent.loop;

import io.vmagent.agent.libvirt.Subscription;
import io.vmagent.agent.spool.Spool;
import io.vmagent.agent.util.NamedThreads;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the agent's loops and spool drainers, each on its own named thread, and stops them in order:
 * no new commands, running ones get the shutdown timeout, the spools are flushed while the backend
 * answers, a last heartbeat says the agent goes offline, then everything is closed.
 */
public final class Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

  /** How long the spools may take to flush at shutdown. */
  static final Duration FLUSH_BUDGET = Duration.ofSeconds(5);

  /** How long the last heartbeat may take at shutdown. */
  static final Duration LAST_HEARTBEAT_TIMEOUT = Duration.ofSeconds(5);

  // One bound for all loop threads together: a loop stuck in a slow request is left behind.
  private static final Duration JOIN_BUDGET = Duration.ofSeconds(5);

  private final Duration shutdownTimeout;
  private final CommandLoop commandLoop;
  private final ExecutorService workers;
  private final List<PeriodicLoop> loops;
  private final List<Spool> spools;
  private final HeartbeatRound heartbeat;
  private final IntSupplier running;
  private final List<AutoCloseable> resources;
  private final List<Thread> threads = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Object lock = new Object();
  private boolean stopping; // guarded by lock
  private Subscription events;

  /**
   * @param running how many commands run now
   * @param resources closed at the end, in this order, after anything added by {@link #closeAtExit}
   */
  public Lifecycle(
      Duration shutdownTimeout,
      Loops loops,
      List<Spool> spools,
      IntSupplier running,
      List<AutoCloseable> resources) {
    this.shutdownTimeout = shutdownTimeout;
    this.commandLoop = loops.commandLoop();
    this.workers = loops.workers();
    this.loops = loops.periodic();
    this.spools = List.copyOf(spools);
    this.heartbeat = loops.heartbeat();
    this.running = running;
    this.resources = new ArrayList<>(resources);
  }

  /** The pool commands run on: {@code count} named threads. */
  static ExecutorService workers(int count) {
    return new ThreadPoolExecutor(
        count,
        count,
        60,
        TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(),
        NamedThreads.factory("command-worker-", false));
  }

  /** Closes {@code resource} at exit, before the others. */
  public void closeAtExit(AutoCloseable resource) {
    resources.add(0, resource);
  }

  /** Starts every drainer and loop; {@code events} (the lifecycle-event feed) ends at shutdown. */
  public void start(Subscription events) {
    this.events = events;
    for (Spool spool : spools) {
      startThread("spool-" + spool.name(), spool);
    }
    startThread(loops.get(0).state().name(), loops.get(0));
    startThread("command-poll", commandLoop);
    for (PeriodicLoop loop : loops.subList(1, loops.size())) {
      startThread(loop.state().name(), loop);
    }
  }

  /** Blocks until {@link #shutdown()} has finished. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /** The graceful stop (see the class comment); a second call returns at once. */
  public void shutdown() {
    synchronized (lock) {
      if (stopping) {
        return;
      }
      stopping = true;
    }
    try {
      log.info(
          "shutting down: no new commands; running commands get {} s", shutdownTimeout.toSeconds());
      commandLoop.stop();
      loops.forEach(PeriodicLoop::stop);
      awaitCommands();
      if (events != null) {
        events.close();
      }
      spools.forEach(spool -> spool.stop());
      joinThreads();
      flush();
      heartbeat.last(LAST_HEARTBEAT_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.warn("spool flush at shutdown failed: {}", e.getMessage());
    } finally {
      close();
      log.info("vm-agent stopped");
      stopped.countDown();
    }
  }

  private void startThread(String name, Runnable body) {
    Thread thread = NamedThreads.thread(name, false, body);
    threads.add(thread);
    thread.start();
  }

  private void awaitCommands() throws InterruptedException {
    workers.shutdown();
    if (!workers.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
      log.warn(
          "{} commands still running after {} s; abandoned (reported as interrupted at the next"
              + " start)",
          running.getAsInt(),
          shutdownTimeout.toSeconds());
      workers.shutdownNow();
    }
  }

  private void joinThreads() throws InterruptedException {
    long joinUntil = System.nanoTime() + JOIN_BUDGET.toNanos();
    for (Thread thread : threads) {
      long left = TimeUnit.NANOSECONDS.toMillis(joinUntil - System.nanoTime());
      if (left > 0) {
        thread.join(left);
      }
    }
  }

  private void flush() throws IOException {
    long deadline = System.nanoTime() + FLUSH_BUDGET.toNanos();
    boolean flushed = true;
    for (Spool spool : spools) {
      // Every spool gets its try, even after one could not be flushed.
      flushed = spool.flush(deadline) && flushed;
    }
    if (flushed) {
      log.info("spool flushed");
    } else {
      log.warn(
          "backend unreachable at shutdown: {} records stay in the spool for the next start",
          spools.stream().mapToLong(Spool::depth).sum());
    }
  }

  private void close() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.getMessage());
      }
    }
    for (Spool spool : spools) {
      try {
        spool.close();
      } catch (IOException e) {
        log.warn("closing a spool file failed: {}", e.getMessage());
      }
    }
  }
}
