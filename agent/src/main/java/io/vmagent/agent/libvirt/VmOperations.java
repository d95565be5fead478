package io.vmagent.agent.libvirt;

import io.vmagent.agent.operation.Cancellation;
import io.vmagent.agent.operation.Operation;
import io.vmagent.agent.operation.OperationCancelled;
import io.vmagent.agent.operation.Params;
import io.vmagent.protocol.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The VM operations of the agent, through libvirt: list, info, start, stop, restart, pause, resume,
 * delete, snapshot, addresses, set_autostart, set_resources, attach_disk, detach_disk, define,
 * create, migrate_prepare, migrate and migrate_abort, each one {@link Operation} ({@link
 * #operations()}) with its parameters ({@link VmParams}). Names and UUIDs are validated before any
 * libvirt call; operations that change a VM hold its lock: they run one at a time per VM (in
 * arrival order) and in parallel across VMs on a bounded pool; every libvirt call has a deadline.
 * Failures are {@link VmOperationException}s carrying an {@link ErrorCode}. See docs/operations.md.
 */
public final class VmOperations implements AutoCloseable {
  /** The graceful stop timeout when neither the caller nor the configuration gives one. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(60);

  /** Operations on different VMs that may run at once. */
  public static final int DEFAULT_PARALLELISM = 4;

  private static final int MAX_QUEUED_PER_VM = 32;
  // Every step of an operation is bounded, so this only guards against a bug.
  private static final Duration MAX_WAIT = Duration.ofHours(2);
  // Reads hold no lock; each of their libvirt calls has the call deadline.
  private static final Duration READ_DEADLINE = Duration.ofMinutes(5);

  private final DomainCalls calls;
  private final KeyedSerialExecutor serial;
  private final Operation<Operation.None> list;
  private final Operation<VmParams.Info> info;
  private final Operation<VmParams.Vm> start;
  private final Operation<VmParams.Stop> stop;
  private final Operation<VmParams.Stop> restart;
  private final Operation<VmParams.Vm> pause;
  private final Operation<VmParams.Vm> resume;
  private final Operation<VmParams.Delete> delete;
  private final Operation<VmParams.Snapshot> snapshot;
  private final Operation<VmParams.Vm> addresses;
  private final Operation<VmParams.Autostart> setAutostart;
  private final Operation<VmParams.Resources> setResources;
  private final Operation<VmParams.AttachDisk> attachDisk;
  private final Operation<VmParams.DetachDisk> detachDisk;
  private final Operation<CreateParams.Define> define;
  private final Operation<CreateParams.Create> create;
  private final SourceMigration migration;
  private final Operation<PrepareParams> migratePrepare;
  private final Operation<VmParams.Migrate> migrate;
  private final Operation<VmParams.Vm> migrateAbort;

  /** Operations with the default parallelism. */
  public VmOperations(LibvirtConnectionManager libvirt, Duration stopTimeout) {
    this(libvirt, stopTimeout, DEFAULT_PARALLELISM);
  }

  /**
   * @param libvirt the started connection manager
   * @param stopTimeout default graceful stop/restart timeout ({@code AGENT_STOP_TIMEOUT})
   * @param parallelism how many VMs may have an operation running at once
   */
  public VmOperations(LibvirtConnectionManager libvirt, Duration stopTimeout, int parallelism) {
    this(libvirt, stopTimeout, parallelism, List.of());
  }

  /**
   * @param libvirt the started connection manager
   * @param stopTimeout default graceful stop/restart timeout ({@code AGENT_STOP_TIMEOUT})
   * @param parallelism how many VMs may have an operation running at once
   * @param allowedPaths directories whose files {@code define} accepts besides the storage pools'
   *     ({@code AGENT_DEFINE_ALLOWED_PATHS})
   */
  public VmOperations(
      LibvirtConnectionManager libvirt,
      Duration stopTimeout,
      int parallelism,
      List<Path> allowedPaths) {
    Objects.requireNonNull(libvirt, "libvirt == null");
    Duration timeout = Params.checkTimeout("stopTimeout", stopTimeout);
    if (timeout == null) {
      throw new IllegalArgumentException("stopTimeout == null");
    }
    this.calls = new DomainCalls(libvirt);
    this.serial = new KeyedSerialExecutor("vm-op-", parallelism, MAX_QUEUED_PER_VM);
    UptimeTracker uptime = libvirt.uptime();
    DomainReader reader = new DomainReader(calls, uptime);
    PowerOperations power = new PowerOperations(calls, uptime, timeout);
    DeleteOperation deletion = new DeleteOperation(calls, uptime);
    SnapshotOperations snapshots = new SnapshotOperations(calls);
    this.list = Operation.hostWide("list", READ_DEADLINE, p -> reader.list());
    this.info = read("info", VmParams.Info.SPEC, (t, p) -> reader.info(t, p.includeXml()));
    this.start = locked("start", VmParams.Vm.SPEC, (t, p) -> power.start(t));
    this.pause = locked("pause", VmParams.Vm.SPEC, (t, p) -> power.pause(t));
    this.resume = locked("resume", VmParams.Vm.SPEC, (t, p) -> power.resume(t));
    this.stop = cancellable("stop", VmParams.Stop.SPEC, (t, p, c) -> power.stop(t, p.options(), c));
    this.restart =
        cancellable("restart", VmParams.Stop.SPEC, (t, p, c) -> power.restart(t, p.options(), c));
    this.delete =
        locked("delete", VmParams.Delete.SPEC, (t, p) -> deletion.delete(t, p.removeStorage()));
    this.snapshot = locked("snapshot", VmParams.Snapshot.SPEC, snapshots::run);
    this.addresses = read("addresses", VmParams.Vm.SPEC, (t, p) -> reader.addresses(t));
    AutostartChange autostart = new AutostartChange(calls);
    ResourceChange resources = new ResourceChange(calls);
    DiskChange disks = new DiskChange(calls);
    this.setAutostart =
        locked("set_autostart", VmParams.Autostart.SPEC, (t, p) -> autostart.set(t, p.enabled()));
    this.setResources = locked("set_resources", VmParams.Resources.SPEC, resources::set);
    this.attachDisk = locked("attach_disk", VmParams.AttachDisk.SPEC, disks::attach);
    this.detachDisk = locked("detach_disk", VmParams.DetachDisk.SPEC, disks::detach);
    DefineOperation definer = new DefineOperation(libvirt, allowedPaths);
    CreateOperation creator = new CreateOperation(libvirt, uptime);
    this.define =
        newVm(
            "define",
            CreateParams.Define.SPEC,
            p -> {
              DefineOperation.Prepared prepared = DefineOperation.prepare(p);
              return byName(prepared.name(), () -> definer.define(prepared));
            });
    this.create =
        newVm("create", CreateParams.Create.SPEC, p -> byName(p.name(), () -> creator.create(p)))
            .withAftermath(creator::leftBy);
    this.migration = new SourceMigration(libvirt);
    MigrationCheck check = new MigrationCheck(libvirt);
    this.migratePrepare =
        new Operation<>(
            "migrate_prepare",
            PrepareParams.NAMES,
            PrepareParams::parse,
            false,
            READ_DEADLINE,
            check::check);
    this.migrate =
        cancellable(
            "migrate",
            VmParams.Migrate.SPEC,
            (t, p, cancellation) ->
                migration.migrate(t.name(), t.uuid(), p.options(), cancellation));
    // Not in the VM's queue: the migration it aborts holds that queue.
    this.migrateAbort =
        read("migrate_abort", VmParams.Vm.SPEC, (t, p) -> migration.abort(t.name(), t.uuid()));
  }

  /** Every VM operation, for the registry. */
  public List<Operation<?>> operations() {
    return List.of(
        list,
        info,
        start,
        stop,
        restart,
        pause,
        resume,
        delete,
        snapshot,
        addresses,
        setAutostart,
        setResources,
        attachDisk,
        detachDisk,
        define,
        create,
        migratePrepare,
        migrate,
        migrateAbort);
  }

  /** Every VM on the host, running or not. */
  public VmList list() {
    return (VmList) run(list, new Operation.None());
  }

  /** Details of one VM; the domain XML only when {@code includeXml}. */
  public VmDetails info(String vm, boolean includeXml) {
    return (VmDetails) run(info, new VmParams.Info(vm, includeXml));
  }

  public LifecycleResult start(String vm) {
    return (LifecycleResult) run(start, new VmParams.Vm(vm));
  }

  public LifecycleResult stop(String vm, StopOptions options) {
    return (LifecycleResult) run(stop, new VmParams.Stop(vm, options));
  }

  public LifecycleResult restart(String vm, StopOptions options) {
    return (LifecycleResult) run(restart, new VmParams.Stop(vm, options));
  }

  public LifecycleResult pause(String vm) {
    return (LifecycleResult) run(pause, new VmParams.Vm(vm));
  }

  public LifecycleResult resume(String vm) {
    return (LifecycleResult) run(resume, new VmParams.Vm(vm));
  }

  public LifecycleResult delete(String vm, boolean removeStorage) {
    return (LifecycleResult) run(delete, new VmParams.Delete(vm, removeStorage));
  }

  /**
   * Creates a snapshot. {@code name} null lets libvirt choose one; {@code withMemory} null means
   * "include the memory of a running VM".
   */
  public SnapshotResult snapshotCreate(
      String vm, String name, String description, Boolean withMemory) {
    return snapshot(
        new VmParams.Snapshot(vm, VmParams.Snapshot.Action.CREATE, name, description, withMemory));
  }

  public SnapshotResult snapshotList(String vm) {
    return snapshot(new VmParams.Snapshot(vm, VmParams.Snapshot.Action.LIST, null, null, null));
  }

  public SnapshotResult snapshotRevert(String vm, String name) {
    return snapshot(new VmParams.Snapshot(vm, VmParams.Snapshot.Action.REVERT, name, null, null));
  }

  public SnapshotResult snapshotDelete(String vm, String name) {
    return snapshot(new VmParams.Snapshot(vm, VmParams.Snapshot.Action.DELETE, name, null, null));
  }

  /** The VM's interfaces with their MAC, network and IP addresses. */
  public VmAddresses addresses(String vm) {
    return (VmAddresses) run(addresses, new VmParams.Vm(vm));
  }

  /** Turns the VM's autostart at host boot on or off. */
  public ChangeResult setAutostart(String vm, boolean enabled) {
    return (ChangeResult) run(setAutostart, new VmParams.Autostart(vm, enabled));
  }

  /** Sets vCPUs and/or memory (KiB); either may be null, not both. */
  public ChangeResult setResources(String vm, Integer vcpus, Long memoryKib) {
    return (ChangeResult) run(setResources, new VmParams.Resources(vm, vcpus, memoryKib));
  }

  /** Attaches a storage-pool volume; see {@link VmParams.AttachDisk}. */
  public ChangeResult attachDisk(VmParams.AttachDisk params) {
    return (ChangeResult) run(attachDisk, params);
  }

  /** Detaches the disk at {@code target}; {@code mode} null picks the default places. */
  public ChangeResult detachDisk(String vm, String target, VmParams.DiskMode mode) {
    return (ChangeResult) run(detachDisk, new VmParams.DetachDisk(vm, target, mode));
  }

  /** Defines a VM from a complete domain XML, once it passed the allowlist. */
  public CreateResult define(String xml) {
    return (CreateResult) run(define, new CreateParams.Define(xml));
  }

  /** Creates a VM, its volumes and, if asked, its cloud-init seed; starts it if asked. */
  public CreateResult create(CreateParams.Create params) {
    return (CreateResult) run(create, params);
  }

  /** Checks that this host can take the VM the domain XML describes; see {@link MigrationCheck}. */
  public PrepareResult migratePrepare(PrepareParams params) {
    return (PrepareResult) run(migratePrepare, params);
  }

  /** Moves the VM to another host; see {@link SourceMigration}. */
  public MigrationResult migrate(String vm, MigrationOptions options) {
    return migrate(vm, options, Cancellation.none());
  }

  /** Moves the VM to another host, aborting the move if {@code cancellation} fires meanwhile. */
  public MigrationResult migrate(String vm, MigrationOptions options, Cancellation cancellation) {
    VmParams.Migrate params = new VmParams.Migrate(vm, options);
    if (!(migrate.body() instanceof Operation.CancellableBody<VmParams.Migrate> body)) {
      throw new IllegalStateException("migrate is built cancellable");
    }
    try {
      return (MigrationResult) body.run(params, cancellation);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new VmOperationException(ErrorCode.OPERATION_FAILED, String.valueOf(e), e);
    }
  }

  /** Aborts the VM's running migration; the VM stays here. */
  public AbortResult migrateAbort(String vm) {
    return (AbortResult) run(migrateAbort, new VmParams.Vm(vm));
  }

  private SnapshotResult snapshot(VmParams.Snapshot params) {
    return (SnapshotResult) run(snapshot, params);
  }

  /** What a VM operation does once its VM is resolved (and locked, if it locks). */
  @FunctionalInterface
  private interface OnVm<P> {
    Object apply(VmTarget target, P params);
  }

  /** What a VM operation that can stop cleanly on a cancel request does, as {@link OnVm}. */
  @FunctionalInterface
  private interface CancellableOnVm<P> {
    Object apply(VmTarget target, P params, Cancellation cancellation);
  }

  /** An operation that holds the VM's lock: it runs in the VM's queue. */
  private <P extends VmParams> Operation<P> locked(
      String name, VmParams.Spec<P> spec, OnVm<P> body) {
    return onVm(name, spec, true, MAX_WAIT, (t, p, c) -> body.apply(t, p));
  }

  /** A locked operation whose body stops where it can once its command is cancelled. */
  private <P extends VmParams> Operation<P> cancellable(
      String name, VmParams.Spec<P> spec, CancellableOnVm<P> body) {
    return onVm(name, spec, true, MAX_WAIT, body);
  }

  /** An operation that only reads: it holds no lock. */
  private <P extends VmParams> Operation<P> read(String name, VmParams.Spec<P> spec, OnVm<P> body) {
    return onVm(name, spec, false, READ_DEADLINE, (t, p, c) -> body.apply(t, p));
  }

  /**
   * An operation on the VM its parameters name: the VM is resolved first (a bad name or unknown VM
   * fails before anything else), then {@code body} runs, in the VM's queue when {@code locksVm}
   * (unless the parameters only read, as {@code snapshot} with {@code action=list} does). A command
   * cancelled while it waits for the VM's lock does not start.
   */
  private <P extends VmParams> Operation<P> onVm(
      String name,
      VmParams.Spec<P> spec,
      boolean locksVm,
      Duration deadline,
      CancellableOnVm<P> body) {
    return new Operation<>(
        name,
        spec.names(),
        spec.parser(),
        locksVm,
        deadline,
        (Operation.CancellableBody<P>)
            (params, cancellation) -> {
              VmTarget target = calls.resolve(VmRef.parse(params.vm()));
              if (!locksVm || params.readOnly()) {
                return body.apply(target, params, cancellation);
              }
              return serialized(
                  target, deadline, cancellation, () -> body.apply(target, params, cancellation));
            });
  }

  /**
   * An operation that makes a VM: it holds the lock of the VM's name (there is no UUID yet), so two
   * requests for the same name run one after the other.
   */
  private <P extends CreateParams> Operation<P> newVm(
      String name, CreateParams.Spec<P> spec, Operation.Body<P> body) {
    return new Operation<>(name, spec.names(), spec.parser(), true, MAX_WAIT, body);
  }

  private <T> T byName(String vm, Callable<T> task) {
    return serialized("name:" + vm, "VM '" + vm + "'", MAX_WAIT, Cancellation.none(), task);
  }

  /** Runs one of this class's operations; its bodies throw no checked exception. */
  private static <P> Object run(Operation<P> operation, P params) {
    try {
      return operation.body().run(params);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new VmOperationException(ErrorCode.OPERATION_FAILED, String.valueOf(e), e);
    }
  }

  /**
   * Runs {@code task} in the VM's queue and waits for it, at most {@code deadline}; cancelled
   * before its turn came, it never runs.
   */
  private <T> T serialized(
      VmTarget target, Duration deadline, Cancellation cancellation, Callable<T> task) {
    return serialized(target.uuid(), target.toString(), deadline, cancellation, task);
  }

  /**
   * Runs {@code task} in the queue of {@code key} and waits for it, at most {@code deadline}. When
   * {@code cancellation} fires before the task's turn came, the wait ends with {@link
   * OperationCancelled} and the task, when its turn comes, runs nothing; once it runs, it is waited
   * for (it sees the token itself).
   */
  private <T> T serialized(
      String key, String vm, Duration deadline, Cancellation cancellation, Callable<T> task) {
    // Taken by whichever comes first: the task's turn, or the waiter giving up on a cancel.
    AtomicBoolean taken = new AtomicBoolean();
    Supplier<OperationCancelled> notRun =
        () ->
            new OperationCancelled(
                "cancelled by an operator while it waited for the lock of "
                    + vm
                    + "; nothing was run",
                null);
    CompletableFuture<T> future =
        serial.submit(
            key,
            () -> {
              if (!taken.compareAndSet(false, true)) {
                throw notRun.get();
              }
              return task.call();
            });
    long end = System.nanoTime() + deadline.toNanos();
    try {
      CompletableFuture.anyOf(future, cancellation.whenCancelled())
          .get(deadline.toMillis(), TimeUnit.MILLISECONDS);
      if (!future.isDone() && taken.compareAndSet(false, true)) {
        throw notRun.get();
      }
      return future.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new VmOperationException(ErrorCode.OPERATION_FAILED, String.valueOf(cause), cause);
    } catch (TimeoutException e) {
      throw new VmOperationException(
          ErrorCode.TIMEOUT, "the operation on " + vm + " is still queued or running", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VmOperationException(
          ErrorCode.OPERATION_FAILED, "interrupted while waiting for the operation on " + vm, e);
    }
  }

  /** Stops the operation pool (running operations get a few seconds to finish). */
  @Override
  public void close() {
    serial.close();
    migration.close();
  }
}
