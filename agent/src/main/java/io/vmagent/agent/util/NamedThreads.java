package io.vmagent.agent.util;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The agent's one way to make threads: each named after what it does, so a thread dump reads. */
public final class NamedThreads {
  private NamedThreads() {}

  /**
   * A factory naming its threads after {@code prefix} with a number from 1 ({@code vm-op-1}, ...);
   * daemon threads do not keep the JVM alive (for pools whose work is abandoned at exit).
   */
  public static ThreadFactory factory(String prefix, boolean daemon) {
    AtomicInteger counter = new AtomicInteger();
    return body -> thread(prefix + counter.incrementAndGet(), daemon, body);
  }

  /** One thread named {@code name}, not started. */
  public static Thread thread(String name, boolean daemon, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(daemon);
    return thread;
  }
}
