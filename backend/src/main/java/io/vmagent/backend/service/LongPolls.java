package io.vmagent.backend.service;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.vmagent.protocol.CommandBatch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long polls that hold no thread while they wait. A waiting poll is a future; it is tried again (a
 * lease attempt on a small worker pool) at once when a command is queued in this process, and when
 * the periodic re-check finds leasable commands for its agent that another instance queued or whose
 * lease ran out. One query per re-check serves every waiting poll. The poll answers empty when its
 * wait runs out.
 *
 * <p>An operator waiting for a command's result waits here too, on its request's thread (a short,
 * rare wait): it notes a key's version, re-checks the database and waits until the version moves
 * ({@link #fire}) or its bounded wait runs out. Keys are per agent, so they are bounded by the
 * fleet's size. {@link #close()} ends both kinds of wait at once.
 */
public final class LongPolls implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LongPolls.class);

  private static final int WAITING = 0;
  private static final int CLAIMED = 1;
  // Woken while an attempt held it: that attempt's lease may have read the database before the
  // waking command was committed, so it must lease once more before it lets the waiter wait.
  private static final int CLAIMED_AND_WOKEN = 2;
  private static final int DONE = 3;

  private static final java.util.concurrent.atomic.AtomicLong SEQUENCE =
      new java.util.concurrent.atomic.AtomicLong();

  /** One waiting poll. */
  private static final class Waiter {
    final String agentId;
    final int max;
    final long deadlineNanos;
    final CompletableFuture<CommandBatch> answer = new CompletableFuture<>();
    final AtomicInteger state = new AtomicInteger(WAITING);
    final long sequence = SEQUENCE.incrementAndGet();
    volatile boolean superseded;

    Waiter(String agentId, int max, long deadlineNanos) {
      this.agentId = agentId;
      this.max = max;
      this.deadlineNanos = deadlineNanos;
    }
  }

  /** The version of one key an operator's wait for a result watches. */
  private static final class Signal {
    private long version;
  }

  // How often each agent was woken, striped by its id's hash so the memory is fixed whatever the
  // fleet: a poll that saw no wake-up of its stripe between its own lease and its registration
  // needs no second lease, and two agents sharing a stripe only cost one lease too many.
  private static final int WAKE_STRIPES = 1024;

  private final Map<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();
  private final AtomicLongArray wakes = new AtomicLongArray(WAKE_STRIPES);
  private final ConcurrentHashMap<String, Signal> signals = new ConcurrentHashMap<>();
  private final BiFunction<String, Integer, CommandBatch> lease;
  private final Supplier<Set<String>> agentsWithWork;
  private final ScheduledExecutorService timer;
  private final ExecutorService workers;
  private final int maxPerAgent;
  private volatile boolean closed;

  /**
   * Polls that lease with {@code lease(agentId, max)} and, every {@code recheck}, ask {@code
   * agentsWithWork} which agents have leasable commands.
   */
  public LongPolls(
      BiFunction<String, Integer, CommandBatch> lease,
      Supplier<Set<String>> agentsWithWork,
      Duration recheck,
      int workerThreads,
      int maxPerAgent) {
    this(
        lease,
        agentsWithWork,
        recheck,
        Executors.newFixedThreadPool(workerThreads, named("vm-backend-poll-worker")),
        maxPerAgent);
  }

  LongPolls(
      BiFunction<String, Integer, CommandBatch> lease,
      Supplier<Set<String>> agentsWithWork,
      Duration recheck,
      ExecutorService workers) {
    this(lease, agentsWithWork, recheck, workers, 2);
  }

  LongPolls(
      BiFunction<String, Integer, CommandBatch> lease,
      Supplier<Set<String>> agentsWithWork,
      Duration recheck,
      ExecutorService workers,
      int maxPerAgent) {
    this.maxPerAgent = maxPerAgent;
    this.lease = lease;
    this.agentsWithWork = agentsWithWork;
    this.timer = Executors.newSingleThreadScheduledExecutor(named("vm-backend-poll-timer"));
    this.workers = workers;
    long period = recheck.toMillis();
    var unused = timer.scheduleWithFixedDelay(this::recheck, period, period, TimeUnit.MILLISECONDS);
  }

  private static ThreadFactory named(String prefix) {
    return new ThreadFactoryBuilder().setNameFormat(prefix + "-%d").setDaemon(true).build();
  }

  /**
   * Waits up to {@code wait} for the agent's commands; the caller found none a moment ago, in a
   * lease that may predate anything queued since, so this leases once more at once.
   */
  public CompletableFuture<CommandBatch> await(String agentId, int max, Duration wait) {
    return await(agentId, max, wait, -1);
  }

  /**
   * The agent's wake-ups so far, read before a lease: passed to {@link #await(String, int,
   * Duration, long)}, it spares the second lease when nothing was queued in this process since.
   */
  public long wakes(String agentId) {
    return wakes.get(stripe(agentId));
  }

  /**
   * Waits up to {@code wait} for the agent's commands; the caller found none in a lease begun after
   * it read {@code seenWakes} from {@link #wakes}. Leases again at once only when the agent was
   * woken since (a command queued in this process may have committed after that lease read);
   * commands queued through another instance are found by the next re-check, as always.
   */
  public CompletableFuture<CommandBatch> await(
      String agentId, int max, Duration wait, long seenWakes) {
    Waiter waiter = new Waiter(agentId, max, System.nanoTime() + wait.toNanos());
    if (closed) {
      waiter.answer.complete(new CommandBatch(List.of()));
      return waiter.answer;
    }
    Set<Waiter> waiters = waiting.computeIfAbsent(agentId, id -> ConcurrentHashMap.newKeySet());
    waiters.add(waiter);
    trim(waiters);
    try {
      var unused = timer.schedule(() -> expire(waiter), wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Closing meanwhile: answer now rather than never.
      expire(waiter);
      return waiter.answer;
    }
    // A command queued between the caller's attempt and the registration above must not wait
    // for the next re-check. Read after the registration: a wake-up that this read misses
    // found the waiter registered and attempts it itself.
    if (seenWakes < 0 || wakes(agentId) != seenWakes) {
      submit(agentId);
    }
    return waiter.answer;
  }

  /**
   * An agent needs one waiting poll (two while one is being answered); more would only hold memory,
   * so every poll beyond the newest {@code maxPerAgent} is answered, empty, at once. One that an
   * attempt holds is marked superseded and answered by that attempt as soon as it lets it go, so
   * the newest are the ones kept whatever the attempts are doing.
   */
  private void trim(Set<Waiter> waiters) {
    if (waiters.size() <= maxPerAgent) {
      return;
    }
    List<Waiter> newestFirst = new java.util.ArrayList<>(waiters);
    newestFirst.sort((a, b) -> Long.compare(b.sequence, a.sequence));
    for (Waiter superseded : newestFirst.subList(maxPerAgent, newestFirst.size())) {
      // Marked before the attempt to answer it: an attempt that lets the poll go after this
      // attempt failed sees the mark (both are volatile or atomic accesses).
      superseded.superseded = true;
      expire(superseded);
    }
  }

  /** Tries the agent's waiting polls now (a command was queued for it in this process). */
  public void wake(String agentId) {
    wakes.incrementAndGet(stripe(agentId));
    submit(agentId);
  }

  private static int stripe(String agentId) {
    return Math.floorMod(agentId.hashCode(), WAKE_STRIPES);
  }

  /** Answers the agent's waiting polls now, empty: the caller has news for it besides commands. */
  public void answerNow(String agentId) {
    Set<Waiter> waiters = waiting.get(agentId);
    if (waiters != null) {
      for (Waiter waiter : waiters) {
        expire(waiter);
      }
    }
  }

  private void recheck() {
    if (waiting.isEmpty()) {
      return;
    }
    try {
      for (String agentId : agentsWithWork.get()) {
        if (waiting.containsKey(agentId)) {
          submit(agentId);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("re-check for waiting long polls failed; retrying in the next round", e);
    }
  }

  private void submit(String agentId) {
    Set<Waiter> waiters = waiting.get(agentId);
    if (waiters == null || waiters.isEmpty()) {
      return;
    }
    try {
      workers.execute(() -> attempt(agentId));
    } catch (RejectedExecutionException e) {
      // Closing: close() answers every waiter.
    }
  }

  private void attempt(String agentId) {
    Set<Waiter> waiters = waiting.get(agentId);
    if (waiters == null) {
      return;
    }
    for (Waiter waiter : waiters) {
      if (claim(waiter)) {
        leaseFor(agentId, waiter);
      }
    }
  }

  /**
   * Takes the waiter for one attempt; when another attempt holds it, marks it woken instead, so
   * that attempt leases again. Without the mark, a command committed while the holder's query ran
   * would wait for the next re-check (the lost wake-up behind a one-second latency tail).
   */
  private static boolean claim(Waiter waiter) {
    while (true) {
      int state = waiter.state.get();
      if (state == WAITING && waiter.state.compareAndSet(WAITING, CLAIMED)) {
        return true;
      }
      if (state == CLAIMED && waiter.state.compareAndSet(CLAIMED, CLAIMED_AND_WOKEN)) {
        return false;
      }
      if (state == CLAIMED_AND_WOKEN || state == DONE) {
        return false;
      }
    }
  }

  private void leaseFor(String agentId, Waiter waiter) {
    while (true) {
      CommandBatch batch;
      try {
        batch = lease.apply(agentId, waiter.max);
      } catch (RuntimeException e) {
        finish(waiter, null, e);
        return;
      }
      if (!batch.commands().isEmpty() || System.nanoTime() >= waiter.deadlineNanos) {
        finish(waiter, batch, null);
        return;
      }
      if (waiter.state.compareAndSet(CLAIMED, WAITING)) {
        break;
      }
      if (!waiter.state.compareAndSet(CLAIMED_AND_WOKEN, CLAIMED)) {
        return; // closed meanwhile, and answered by close()
      }
    }
    // The timer may have fired, or newer polls superseded it, while this attempt held the waiter;
    // both left it to us.
    if (waiter.superseded || System.nanoTime() >= waiter.deadlineNanos) {
      expire(waiter);
    }
  }

  private void expire(Waiter waiter) {
    if (waiter.state.compareAndSet(WAITING, DONE)) {
      remove(waiter);
      waiter.answer.complete(new CommandBatch(List.of()));
    }
  }

  private void finish(Waiter waiter, CommandBatch batch, RuntimeException error) {
    waiter.state.set(DONE);
    remove(waiter);
    if (error != null) {
      waiter.answer.completeExceptionally(error);
    } else {
      waiter.answer.complete(batch);
    }
  }

  private void remove(Waiter waiter) {
    waiting.computeIfPresent(
        waiter.agentId,
        (id, set) -> {
          set.remove(waiter);
          return set.isEmpty() ? null : set;
        });
  }

  /** How many polls are waiting now. */
  public int waitingCount() {
    return waiting.values().stream().mapToInt(Set::size).sum();
  }

  /** The key's current version. */
  public long version(String key) {
    Signal signal = signal(key);
    synchronized (signal) {
      return signal.version;
    }
  }

  /** Moves the key's version and wakes the operators' waits on it. */
  public void fire(String key) {
    Signal signal = signal(key);
    synchronized (signal) {
      signal.version++;
      signal.notifyAll();
    }
  }

  /**
   * Waits on this thread up to {@code maxMillis} for the key's version to move past {@code seen},
   * or until the polls are closed.
   */
  public void awaitVersion(String key, long seen, long maxMillis) throws InterruptedException {
    Signal signal = signal(key);
    long until = System.nanoTime() + maxMillis * 1_000_000L;
    synchronized (signal) {
      long left;
      while (!closed && signal.version == seen && (left = until - System.nanoTime()) > 0) {
        signal.wait(Math.max(1, left / 1_000_000L));
      }
    }
  }

  private Signal signal(String key) {
    return signals.computeIfAbsent(key, k -> new Signal());
  }

  /** True once {@link #close()} was called: the backend is stopping. */
  public boolean closed() {
    return closed;
  }

  /**
   * Answers every waiting poll (empty), wakes every operator's wait for good and stops the threads.
   */
  @Override
  public void close() {
    closed = true;
    for (Signal signal : signals.values()) {
      synchronized (signal) {
        signal.notifyAll();
      }
    }
    timer.shutdownNow();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    for (Set<Waiter> waiters : waiting.values()) {
      for (Waiter waiter : waiters) {
        if (waiter.state.getAndSet(DONE) != DONE) {
          waiter.answer.complete(new CommandBatch(List.of()));
        }
      }
    }
    waiting.clear();
  }
}
