package io.vmagent.agent.loop;

import io.vmagent.agent.backend.BackendClient;
import io.vmagent.agent.command.CommandDispatcher;
import io.vmagent.agent.retry.Backoff;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandResult;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long-polls the backend for commands without pause and hands each to a bounded worker pool; it
 * leases no more commands than there are free workers. Results go to {@code results} (the spool).
 * The cancel requests a poll answer names go to the dispatcher once its commands are handed out.
 */
public final class CommandLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(CommandLoop.class);

  /** Seconds the backend may hold a poll; below its limit of 30. */
  static final int WAIT_SECONDS = 25;

  private static final Backoff BACKOFF =
      Backoff.forLoop(Duration.ofSeconds(1), Duration.ofSeconds(30));

  private final BackendClient client;
  private final CommandDispatcher dispatcher;
  private final ExecutorService workers;
  private final Semaphore slots;
  private final Consumer<CommandResult> results;
  private final LoopState state;
  private volatile boolean stopping;
  private volatile Thread thread;
  private boolean failing;
  private final Object pauseLock = new Object();
  private int pendingReported; // guarded by pauseLock; 0 until a heartbeat reports commands

  /**
   * @param workers the pool commands run on; {@code workerCount} of them at most at once
   * @param results receives each result once the journal holds it
   */
  public CommandLoop(
      BackendClient client,
      CommandDispatcher dispatcher,
      ExecutorService workers,
      int workerCount,
      Consumer<CommandResult> results,
      LoopState state) {
    this.client = Objects.requireNonNull(client, "client == null");
    this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher == null");
    this.workers = workers;
    this.slots = new Semaphore(workerCount);
    this.results = results;
    this.state = state;
  }

  /**
   * A heartbeat's answer says {@code pending} commands wait: a loop waiting out its backoff after
   * failed polls polls at once (one that failed meanwhile too), since the backend is back. A poll
   * in flight needs nothing: the backend answers it with the commands.
   */
  public void commandsPending(int pending) {
    synchronized (pauseLock) {
      pendingReported = pending;
      pauseLock.notifyAll();
    }
  }

  /** Stops polling: the poll in flight is abandoned (its commands are leased again later). */
  public void stop() {
    stopping = true;
    Thread running = thread;
    if (running != null) {
      running.interrupt();
    }
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    int failures = 0;
    while (!stopping) {
      Instant started = Instant.now();
      try {
        if (pollOnce(started)) {
          failures = 0;
        }
      } catch (InterruptedException | InterruptedIOException e) {
        if (!stopping) {
          Thread.currentThread().interrupt();
        }
        break;
      } catch (IOException e) {
        if (stopping) {
          break;
        }
        failures++;
        state.failed(started, Duration.between(started, Instant.now()), e.getMessage());
        if (!failing) {
          failing = true;
          log.warn("command polling failed: {}", e.getMessage());
        }
        if (!pause(failures)) {
          break;
        }
      }
    }
    log.info("command polling stopped");
  }

  /**
   * Leases as many commands as there are free workers and hands them out; false when every worker
   * was busy and nothing was asked.
   */
  private boolean pollOnce(Instant started) throws IOException, InterruptedException {
    if (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
      return false; // every worker busy: lease nothing more until one is free
    }
    int free = slots.availablePermits() + 1;
    slots.release();
    synchronized (pauseLock) {
      pendingReported = 0; // this poll asks for whatever a heartbeat reported so far
    }
    CommandBatch batch = client.pollCommands(WAIT_SECONDS, free);
    Instant received = Instant.now();
    state.succeeded(started, Duration.between(started, received));
    if (failing) {
      failing = false;
      log.info("command polling works again");
    }
    for (Command leased : batch.commands()) {
      Command command = onThisClock(leased, batch.serverTime(), received);
      if (stopping) {
        log.info("command {} not started: the agent is shutting down", command.id());
        continue;
      }
      slots.acquire();
      log.info(
          "command {} received: {} (delivery {})",
          command.id(),
          command.operation(),
          command.delivery());
      dispatcher.received(command.id());
      workers.execute(() -> runOne(command));
    }
    dispatcher.cancel(batch.cancelRequested());
    return true;
  }

  /**
   * The command with its deadline and lease end moved onto this host's clock: as far from {@code
   * received} as the backend's clock saw them from its {@code serverTime}, so a skewed host clock
   * neither refuses a command in time nor runs one that is late. An older backend sends no server
   * time: then the deadline is compared with this host's clock as it is.
   */
  static Command onThisClock(Command command, Instant serverTime, Instant received) {
    if (serverTime == null) {
      return command;
    }
    return new Command(
        command.id(),
        command.operation(),
        command.params(),
        shift(command.deadline(), serverTime, received),
        shift(command.leaseExpiresAt(), serverTime, received),
        command.delivery(),
        command.createdAt());
  }

  private static Instant shift(Instant at, Instant serverTime, Instant received) {
    return at == null ? null : received.plus(Duration.between(serverTime, at));
  }

  private void runOne(Command command) {
    try {
      dispatcher.handle(command).ifPresent(results);
    } catch (IOException e) {
      log.error(
          "command {} not run: the journal cannot be written ({}); the backend will deliver it"
              + " again",
          command.id(),
          e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (RuntimeException e) {
      log.error("command {} ended with an unexpected error", command.id(), e);
    } finally {
      slots.release();
    }
  }

  /** Waits out the backoff, or less when a heartbeat reports pending commands; false to stop. */
  private boolean pause(int failures) {
    long end = System.nanoTime() + BACKOFF.delay(failures).toNanos();
    try {
      synchronized (pauseLock) {
        long left = end - System.nanoTime();
        while (pendingReported == 0 && !stopping && left > 0) {
          TimeUnit.NANOSECONDS.timedWait(pauseLock, left);
          left = end - System.nanoTime();
        }
        if (pendingReported > 0 && left > 0) {
          log.info(
              "command polling resumes at once: a heartbeat reported {} commands pending",
              pendingReported);
        }
      }
      return true;
    } catch (InterruptedException e) {
      if (!stopping) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
  }
}
