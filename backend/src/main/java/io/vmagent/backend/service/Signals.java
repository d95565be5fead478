package io.vmagent.backend.service;

import java.util.concurrent.ConcurrentHashMap;

/**
 * In-process wake-ups for long polls: a waiter notes a key's version, re-checks the database and
 * waits until the version moves or its bounded wait runs out. Keys are per agent, so the map is
 * bounded by the fleet's size.
 */
public final class Signals {
  private static final class Signal {
    private long version;
  }

  private final ConcurrentHashMap<String, Signal> signals = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private Signal signal(String key) {
    return signals.computeIfAbsent(key, k -> new Signal());
  }

  /** The key's current version. */
  public long version(String key) {
    Signal signal = signal(key);
    synchronized (signal) {
      return signal.version;
    }
  }

  /** Moves the key's version and wakes its waiters. */
  public void fire(String key) {
    Signal signal = signal(key);
    synchronized (signal) {
      signal.version++;
      signal.notifyAll();
    }
  }

  /** Waits up to {@code maxMillis} for the key's version to move past {@code seen}. */
  public void await(String key, long seen, long maxMillis) throws InterruptedException {
    Signal signal = signal(key);
    long until = System.nanoTime() + maxMillis * 1_000_000L;
    synchronized (signal) {
      long left;
      while (!closed && signal.version == seen && (left = until - System.nanoTime()) > 0) {
        signal.wait(Math.max(1, left / 1_000_000L));
      }
    }
  }

  /** Wakes every waiter for good, so waiting long polls answer at once when the backend stops. */
  public void close() {
    closed = true;
    for (Signal signal : signals.values()) {
      synchronized (signal) {
        signal.notifyAll();
      }
    }
  }

  /** True once {@link #close()} was called. */
  public boolean closed() {
    return closed;
  }
}
