package io.vmagent.agent.libvirt;

import io.vmagent.agent.util.NamedThreads;
import io.vmagent.protocol.ErrorCode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks on a bounded pool so that tasks with the same key run one at a time, in submission
 * order, while tasks with different keys run in parallel. A key's queue never holds a pool thread
 * while it waits: only the key's running task does.
 */
final class KeyedSerialExecutor implements AutoCloseable {
  private final ExecutorService pool;
  private final int maxQueuedPerKey;
  private final Map<String, ArrayDeque<Runnable>> queues = new HashMap<>(); // guarded by itself

  KeyedSerialExecutor(String threadPrefix, int threads, int maxQueuedPerKey) {
    if (threads < 1 || maxQueuedPerKey < 1) {
      throw new IllegalArgumentException("threads and maxQueuedPerKey must be at least 1");
    }
    this.pool = Executors.newFixedThreadPool(threads, NamedThreads.factory(threadPrefix, true));
    this.maxQueuedPerKey = maxQueuedPerKey;
  }

  /**
   * Queues {@code task} behind the other tasks of {@code key}.
   *
   * @throws VmOperationException {@code INVALID_STATE} when the key already has {@code
   *     maxQueuedPerKey} tasks waiting, {@code OPERATION_FAILED} after {@link #close()}
   */
  <T> CompletableFuture<T> submit(String key, Callable<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable step =
        () -> {
          try {
            result.complete(task.call());
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        };
    synchronized (queues) {
      ArrayDeque<Runnable> queue = queues.get(key);
      if (queue == null) {
        queue = new ArrayDeque<>();
        queue.add(step);
        queues.put(key, queue);
        try {
          pool.execute(() -> drain(key));
        } catch (RejectedExecutionException e) {
          queues.remove(key);
          throw new VmOperationException(
              ErrorCode.OPERATION_FAILED, "the agent is shutting down; operation not started", e);
        }
      } else if (queue.size() - 1 >= maxQueuedPerKey) { // the head is the running task
        throw new VmOperationException(
            ErrorCode.INVALID_STATE,
            maxQueuedPerKey + " operations are already waiting for this VM; try again later");
      } else {
        queue.add(step);
      }
    }
    return result;
  }

  /** Runs the key's tasks one after another; the key's queue is removed when empty. */
  private void drain(String key) {
    while (true) {
      Runnable next;
      synchronized (queues) {
        next = queues.get(key).peek();
      }
      next.run();
      synchronized (queues) {
        ArrayDeque<Runnable> queue = queues.get(key);
        queue.poll();
        if (queue.isEmpty()) {
          queues.remove(key);
          return;
        }
      }
    }
  }

  /** Stops accepting tasks and waits up to {@code wait} for running ones. */
  void shutdown(Duration wait) {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(5));
  }
}
