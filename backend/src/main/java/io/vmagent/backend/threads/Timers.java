package io.vmagent.backend.threads;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The backend's periodic jobs' threads: one named daemon thread each. */
public final class Timers {
  private Timers() {}

  /**
   * A scheduler on one daemon thread called {@code threadName}, so a job never keeps the JVM alive
   * and a thread dump or log line names the job.
   */
  public static ScheduledExecutorService daemon(String threadName) {
    return Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder()
            .setNameFormat(threadName.replace("%", "%%"))
            .setDaemon(true)
            .build());
  }
}
