package io.vmagent.agent.libvirt;

import io.vmagent.agent.operation.Cancellation;
import io.vmagent.agent.operation.OperationCancelled;
import io.vmagent.agent.util.NamedThreads;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.text.Printable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.TypedParameter;
import org.libvirt.TypedStringParameter;
import org.libvirt.TypedUlongParameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's side of a migration, client-driven: the agent holds a connection to its own libvirt
 * and one to the destination's, and libvirt runs the migration's phases between them ({@code
 * virDomainMigrate3} without {@code VIR_MIGRATE_PEER2PEER}). If the agent dies midway, both daemons
 * see their client go and clean up: the source aborts the job and resumes the VM, the destination
 * destroys the incoming domain. A monitor reads the job's progress every second and aborts the job
 * at the deadline; {@code migrate_abort} aborts it on request.
 */
public final class SourceMigration implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SourceMigration.class);
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final Duration PROBE_DEADLINE = Duration.ofSeconds(10);
  // The migration call ends soon after an abort; this bounds the wait should libvirt not return.
  private static final Duration AFTER_DEADLINE = Duration.ofMinutes(2);
  private static final long LOG_EVERY_TICKS = 5;

  /** Why a running migration was aborted. */
  private enum Abort {
    DEADLINE,
    REQUESTED,
    CANCELLED
  }

  /** A migration in progress, as the monitor and {@code migrate_abort} see it. */
  private static final class Running {
    final long deadlineNanos;
    volatile Abort abort;
    volatile MigrationProgress last;
    final AtomicInteger readings = new AtomicInteger();

    Running(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
    }
  }

  private final LibvirtConnectionManager libvirt;
  private final ScheduledExecutorService monitor =
      Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("migration-monitor-", true));
  // Opens destination connections, which may hang on an unreachable host, outside the deadline.
  private final ExecutorService opener =
      Executors.newCachedThreadPool(NamedThreads.factory("migration-connect-", true));
  private final Map<String, Running> running = new ConcurrentHashMap<>();

  public SourceMigration(LibvirtConnectionManager libvirt) {
    this.libvirt = libvirt;
  }

  /**
   * Moves the VM {@code uuid} (called {@code name}) to the destination the options name.
   *
   * @throws VmOperationException {@code TIMEOUT} when the deadline aborted it, {@code
   *     INVALID_ARGUMENT} for options that do not fit the VM's state, or libvirt's failure; in each
   *     case the VM is still here, and the message says in which state
   */
  public MigrationResult migrate(
      String name, String uuid, MigrationOptions options, Cancellation cancellation) {
    long started = System.nanoTime();
    String vm = "VM '" + name + "'";
    VmState before =
        libvirt.withConnection(
            "read the state of " + vm, c -> DomainProbe.state(c.domainLookupByUUIDString(uuid)));
    boolean active = before.isActive();
    if (!active && options.copyStorage()) {
      throw new VmOperationException(
          ErrorCode.INVALID_ARGUMENT,
          vm
              + " is shut off: an offline migration moves its definition only and cannot copy"
              + " its storage (copy the disks first, or start the VM)");
    }
    boolean persistent =
        libvirt.withConnection(
            "read the definition of " + vm,
            c -> c.domainLookupByUUIDString(uuid).isPersistent() == 1);
    long flags = flags(options, active, persistent);
    Running run = new Running(started + options.deadline().toNanos());
    if (running.putIfAbsent(uuid, run) != null) {
      throw new VmOperationException(
          ErrorCode.INVALID_STATE, "a migration of " + vm + " is already running");
    }
    // A cancel request aborts libvirt's job like migrate_abort; if the job had not begun yet, the
    // monitor's next tick aborts it once it has.
    CompletableFuture<Void> onCancel =
        cancellation
            .whenCancelled()
            .thenRun(
                () -> {
                  if (run.abort == null) {
                    run.abort = Abort.CANCELLED;
                    log.info("migration of {} cancelled by an operator; aborting it", vm);
                    // At once, on the monitor's thread: the canceller is the command loop.
                    monitor.execute(() -> tick(vm, uuid, run));
                  }
                });
    if (cancellation.cancelled()) {
      running.remove(uuid, run);
      throw new OperationCancelled(
          "the migration of " + vm + " was cancelled before it began; the VM stays on this host",
          null);
    }
    ScheduledFuture<?> watch =
        monitor.scheduleAtFixedRate(
            () -> tick(vm, uuid, run), TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    // The deadline's abort at the deadline itself, not at the next reading.
    ScheduledFuture<?> deadline =
        monitor.schedule(
            () -> tick(vm, uuid, run), options.deadline().toMillis(), TimeUnit.MILLISECONDS);
    List<String> warnings = new ArrayList<>();
    String destination = Printable.escape(options.destinationUri());
    log.info(
        "migrating {} to {} ({}, {} storage, deadline {} s)",
        vm,
        destination,
        active ? (liveWanted(options) ? "live" : "paused while it moves") : "offline",
        options.copyStorage() ? "copied" : "shared",
        options.deadline().toSeconds());
    try {
      Moved moved =
          libvirt.withConnection(
              "migrate " + vm + " to " + destination,
              options.deadline().plus(AFTER_DEADLINE),
              c -> move(c, uuid, options, flags, active, run, warnings));
      VmState after = sourceStateAfter(uuid);
      long durationMs = (System.nanoTime() - started) / 1_000_000;
      log.info(
          "migrated {} to {} in {} ms (downtime {} ms, {} iterations); here it is now {}",
          vm,
          destination,
          durationMs,
          moved.completed() == null ? "?" : moved.completed().downtimeMs(),
          moved.completed() == null ? "?" : moved.completed().memoryIterations(),
          after.wire());
      return new MigrationResult(
          "migrate",
          name,
          uuid,
          options.destinationUri(),
          active ? "live" : "offline",
          options.copyStorage() ? "copied" : "shared",
          before,
          moved.state(),
          after,
          durationMs,
          moved.completed(),
          run.readings.get(),
          List.copyOf(warnings));
    } catch (VmOperationException e) {
      if (run.abort == Abort.CANCELLED) {
        throw new OperationCancelled(
            "the migration of "
                + vm
                + " was cancelled by an operator and aborted; the VM stays on this host ("
                + stateHere(uuid)
                + ")",
            null);
      }
      throw failed(vm, uuid, run, options, e);
    } finally {
      onCancel.cancel(false);
      watch.cancel(false);
      deadline.cancel(false);
      running.remove(uuid, run);
    }
  }

  /**
   * Aborts the running migration of {@code uuid}; the VM keeps running here. A VM with no migration
   * running is reported as such (aborting twice is harmless).
   */
  public AbortResult abort(String name, String uuid) {
    String vm = "VM '" + name + "'";
    Running run = running.get(uuid);
    if (run != null) {
      run.abort = Abort.REQUESTED;
    }
    try {
      libvirt.withConnection(
          "abort the migration of " + vm, c -> c.domainLookupByUUIDString(uuid).abortJob());
    } catch (VmOperationException e) {
      if (e.code() != ErrorCode.INVALID_STATE) {
        throw e;
      }
      return new AbortResult(
          "migrate_abort", name, uuid, false, "no migration of " + vm + " is running");
    }
    log.info("migration of {} aborted on request", vm);
    return new AbortResult(
        "migrate_abort",
        name,
        uuid,
        true,
        "the migration of " + vm + " was aborted; the VM stays on this host");
  }

  /** The VM as it arrived: its state there and libvirt's figures of the completed job. */
  private record Moved(VmState state, MigrationProgress completed) {}

  private Moved move(
      Connect source,
      String uuid,
      MigrationOptions options,
      long flags,
      boolean active,
      Running run,
      List<String> warnings)
      throws LibvirtException {
    Domain domain = source.domainLookupByUUIDString(uuid);
    if (active && options.maxDowntime() != null) {
      domain.migrateSetMaxDowntime(options.maxDowntime().toMillis());
    }
    Connect destination = openDestination(options.destinationUri(), run);
    try {
      Domain arrived = domain.migrate(destination, parameters(options), flags);
      VmState state = DomainProbe.state(arrived);
      MigrationProgress completed = null;
      if (active) {
        try {
          completed =
              MigrationProgress.of(DomainProbe.jobStats(arrived, DomainProbe.JOB_STATS_COMPLETED));
        } catch (LibvirtException e) {
          warnings.add("libvirt gave no statistics of the completed job: " + e.getMessage());
        }
      }
      return new Moved(state, completed);
    } finally {
      closeQuietly(destination);
    }
  }

  /** Opens the destination's libvirt, waiting at most until the migration's deadline. */
  private Connect openDestination(String uri, Running run) {
    CompletableFuture<Connect> opening = CompletableFuture.supplyAsync(() -> connect(uri), opener);
    try {
      long left = Math.max(1, run.deadlineNanos - System.nanoTime());
      return opening.get(left, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      run.abort = Abort.DEADLINE;
      var unused = opening.thenAccept(SourceMigration::closeQuietly);
      throw new VmOperationException(
          ErrorCode.TIMEOUT,
          "the destination's libvirt at " + Printable.escape(uri) + " did not answer in time",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VmOperationException(
          ErrorCode.OPERATION_FAILED, "interrupted while connecting to the destination", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof VmOperationException failure) {
        throw failure;
      }
      throw new VmOperationException(ErrorCode.OPERATION_FAILED, String.valueOf(e.getCause()), e);
    }
  }

  private static Connect connect(String uri) {
    try {
      return new Connect(uri);
    } catch (LibvirtException e) {
      throw new VmOperationException(
          ErrorCode.OPERATION_FAILED,
          "cannot reach the destination's libvirt at "
              + Printable.escape(uri)
              + ": "
              + Printable.escape(e.getMessage() == null ? "" : e.getMessage().strip()),
          e);
    }
  }

  private static void closeQuietly(Connect connect) {
    try {
      connect.close();
    } catch (LibvirtException e) {
      log.debug("closing the destination's connection failed: {}", e.getMessage());
    }
  }

  private static TypedParameter[] parameters(MigrationOptions options) {
    List<TypedParameter> params = new ArrayList<>();
    if (options.streamUri() != null) {
      params.add(new TypedStringParameter("migrate_uri", options.streamUri()));
    }
    if (options.bandwidthMib() != null) {
      params.add(new TypedUlongParameter("bandwidth", options.bandwidthMib()));
    }
    return params.toArray(new TypedParameter[0]);
  }

  private static boolean liveWanted(MigrationOptions options) {
    return options.live() == null || options.live();
  }

  private static long flags(MigrationOptions options, boolean active, boolean persistent) {
    long flags = Domain.MigrateFlags.PERSIST_DEST;
    if (persistent) {
      flags |= Domain.MigrateFlags.UNDEFINE_SOURCE;
    }
    if (!active) {
      return flags | Domain.MigrateFlags.OFFLINE;
    }
    flags |= Domain.MigrateFlags.ABORT_ON_ERROR;
    if (liveWanted(options)) {
      flags |= Domain.MigrateFlags.LIVE;
    }
    if (options.copyStorage()) {
      flags |= Domain.MigrateFlags.NON_SHARED_DISK;
    }
    if (options.autoConverge()) {
      flags |= Domain.MigrateFlags.AUTO_CONVERGE;
    }
    if (options.unsafe()) {
      flags |= Domain.MigrateFlags.UNSAFE;
    }
    return flags;
  }

  /** Reads the job's progress, logs it now and then, and aborts the job at the deadline. */
  private void tick(String vm, String uuid, Running run) {
    try {
      if (run.abort == null && System.nanoTime() - run.deadlineNanos >= 0) {
        run.abort = Abort.DEADLINE;
        log.warn("migration of {} reached its deadline; aborting it", vm);
      }
      if (run.abort == Abort.DEADLINE || run.abort == Abort.CANCELLED) {
        libvirt.withConnection(
            "abort the migration of " + vm,
            PROBE_DEADLINE,
            c -> c.domainLookupByUUIDString(uuid).abortJob());
        return;
      }
      Map<String, Long> stats =
          libvirt.withConnection(
              "read the migration job of " + vm,
              PROBE_DEADLINE,
              c -> DomainProbe.jobStats(c.domainLookupByUUIDString(uuid), 0));
      if (stats.getOrDefault("job_type", 0L) == 0L) {
        return;
      }
      MigrationProgress progress = MigrationProgress.of(stats);
      run.last = progress;
      if (run.readings.incrementAndGet() % LOG_EVERY_TICKS == 1) {
        log.info("migration of {}: {}", vm, progress.describe());
      } else {
        log.debug("migration of {}: {}", vm, progress.describe());
      }
    } catch (VmOperationException e) {
      // The job may be between phases or already over; the next tick tries again.
      log.debug("migration monitor of {}: {}", vm, e.getMessage());
    } catch (RuntimeException e) {
      log.warn("migration monitor of {} failed", vm, e);
    }
  }

  private VmState sourceStateAfter(String uuid) {
    try {
      return libvirt.withConnection(
          "read the state after migrating",
          c -> DomainProbe.state(c.domainLookupByUUIDString(uuid)));
    } catch (VmOperationException e) {
      if (e.code() == ErrorCode.VM_NOT_FOUND) {
        return VmState.UNDEFINED;
      }
      throw e;
    }
  }

  private String stateHere(String uuid) {
    try {
      return sourceStateAfter(uuid).wire();
    } catch (VmOperationException unreadable) {
      return "unknown (" + unreadable.getMessage() + ")";
    }
  }

  private VmOperationException failed(
      String vm, String uuid, Running run, MigrationOptions options, VmOperationException e) {
    String here = stateHere(uuid);
    String progress = run.last == null ? "" : "; at the last reading " + run.last.describe();
    if (run.abort == Abort.DEADLINE) {
      return new VmOperationException(
          ErrorCode.TIMEOUT,
          "the migration of "
              + vm
              + " did not finish within "
              + options.deadline().toSeconds()
              + " s and was aborted; the VM stays on this host ("
              + here
              + ")"
              + progress,
          e);
    }
    if (run.abort == Abort.REQUESTED) {
      return new VmOperationException(
          ErrorCode.OPERATION_FAILED,
          "the migration of "
              + vm
              + " was aborted by migrate_abort; the VM stays on this host ("
              + here
              + ")",
          e);
    }
    String where =
        VmState.UNDEFINED.wire().equals(here)
            ? "; the VM is no longer defined on this host"
            : "; the VM is on this host (" + here + ")";
    return new VmOperationException(e.code(), e.getMessage() + where + progress, e);
  }

  /** Stops the progress monitor. */
  @Override
  public void close() {
    monitor.shutdownNow();
    opener.shutdownNow();
  }
}
