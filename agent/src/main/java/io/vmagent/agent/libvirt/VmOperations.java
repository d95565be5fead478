package io.vmagent.agent.libvirt;

import io.vmagent.protocol.ErrorCode;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The VM operations of the agent, through libvirt: list, info, start, stop, restart, pause, resume,
 * delete, snapshot and health_check. Names and UUIDs are validated before any libvirt call;
 * operations that change a VM run one at a time per VM (in arrival order) and in parallel across
 * VMs on a bounded pool; every libvirt call has a deadline. Failures are {@link
 * VmOperationException}s carrying an {@link ErrorCode}. See docs/operations.md.
 *
 * <p>{@link #execute(String, Map)} is the entry point for commands from the backend; its parameters
 * are:
 *
 * <ul>
 *   <li>{@code list}, {@code health_check}: none
 *   <li>{@code info}: {@code vm}, {@code include_xml} (boolean)
 *   <li>{@code start}, {@code pause}, {@code resume}: {@code vm}
 *   <li>{@code stop}, {@code restart}: {@code vm}, {@code force}, {@code timeout_seconds} (1-3600,
 *       default {@code AGENT_STOP_TIMEOUT}), {@code force_after_timeout}
 *   <li>{@code delete}: {@code vm}, {@code remove_storage}
 *   <li>{@code snapshot}: {@code vm}, {@code action} ({@code create|list|revert|delete}), {@code
 *       name} (required for revert and delete), {@code description}, {@code with_memory}
 * </ul>
 */
public final class VmOperations implements AutoCloseable {
  /** The graceful stop timeout when neither the caller nor the configuration gives one. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(60);

  /** Operations on different VMs that may run at once. */
  public static final int DEFAULT_PARALLELISM = 4;

  /** The operation names {@link #execute} accepts. */
  public static final Set<String> OPERATIONS =
      Set.of(
          "list",
          "info",
          "start",
          "stop",
          "restart",
          "pause",
          "resume",
          "delete",
          "snapshot",
          "health_check");

  private static final int MAX_QUEUED_PER_VM = 32;
  // Every step of an operation is bounded, so this only guards against a bug.
  private static final Duration MAX_WAIT = Duration.ofHours(2);

  private final DomainCalls calls;
  private final KeyedSerialExecutor serial;
  private final UptimeTracker uptime = new UptimeTracker();
  private final Subscription uptimeEvents;
  private final DomainReader reader;
  private final PowerOperations power;
  private final DeleteOperation deletion;
  private final SnapshotOperations snapshots;
  private final HealthCheck health;

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
    Objects.requireNonNull(libvirt, "libvirt == null");
    Duration timeout = OperationParams.checkTimeout("stopTimeout", stopTimeout);
    if (timeout == null) {
      throw new IllegalArgumentException("stopTimeout == null");
    }
    this.calls = new DomainCalls(libvirt);
    this.serial = new KeyedSerialExecutor("vm-op-", parallelism, MAX_QUEUED_PER_VM);
    this.uptimeEvents = libvirt.subscribe(uptime);
    this.reader = new DomainReader(calls, uptime);
    this.power = new PowerOperations(calls, uptime, timeout);
    this.deletion = new DeleteOperation(calls, uptime);
    this.snapshots = new SnapshotOperations(calls);
    this.health = new HealthCheck(libvirt);
  }

  /** Every VM on the host, running or not. */
  public VmList list() {
    return reader.list();
  }

  /** Details of one VM; the domain XML only when {@code includeXml}. */
  public VmDetails info(String vm, boolean includeXml) {
    return reader.info(calls.resolve(VmRef.parse(vm)), includeXml);
  }

  public LifecycleResult start(String vm) {
    return serialized(vm, power::start);
  }

  public LifecycleResult stop(String vm, StopOptions options) {
    StopOptions checked = checked(options);
    return serialized(vm, target -> power.stop(target, checked));
  }

  public LifecycleResult restart(String vm, StopOptions options) {
    StopOptions checked = checked(options);
    return serialized(vm, target -> power.restart(target, checked));
  }

  public LifecycleResult pause(String vm) {
    return serialized(vm, power::pause);
  }

  public LifecycleResult resume(String vm) {
    return serialized(vm, power::resume);
  }

  public LifecycleResult delete(String vm, boolean removeStorage) {
    return serialized(vm, target -> deletion.delete(target, removeStorage));
  }

  /**
   * Creates a snapshot. {@code name} null lets libvirt choose one; {@code withMemory} null means
   * "include the memory of a running VM".
   */
  public SnapshotResult snapshotCreate(
      String vm, String name, String description, Boolean withMemory) {
    String checkedName = name == null ? null : VmRef.validName("snapshot name", name);
    String checkedDescription = SnapshotOperations.validDescription(description);
    return serialized(
        vm, target -> snapshots.create(target, checkedName, checkedDescription, withMemory));
  }

  public SnapshotResult snapshotList(String vm) {
    return snapshots.list(calls.resolve(VmRef.parse(vm)));
  }

  public SnapshotResult snapshotRevert(String vm, String name) {
    String checkedName = VmRef.validName("snapshot name", name);
    return serialized(vm, target -> snapshots.revert(target, checkedName));
  }

  public SnapshotResult snapshotDelete(String vm, String name) {
    String checkedName = VmRef.validName("snapshot name", name);
    return serialized(vm, target -> snapshots.delete(target, checkedName));
  }

  /** libvirt's reachability, versions, host name and domain counts; never throws. */
  public HealthReport healthCheck() {
    return health.check();
  }

  /**
   * Runs the operation {@code operation} with the backend's parameters (see the class comment).
   *
   * @throws VmOperationException {@code UNKNOWN_OPERATION} for an operation not in {@link
   *     #OPERATIONS}, {@code INVALID_ARGUMENT} for bad parameters, or the operation's own error
   */
  public OperationOutput execute(String operation, Map<String, ?> params) {
    if (operation == null || !OPERATIONS.contains(operation)) {
      throw new VmOperationException(
          ErrorCode.UNKNOWN_OPERATION, "unknown VM operation '" + operation + "'");
    }
    switch (operation) {
      case "list":
        new OperationParams(operation, params, Set.of());
        return list();
      case "health_check":
        new OperationParams(operation, params, Set.of());
        return healthCheck();
      case "info":
        {
          OperationParams p = new OperationParams(operation, params, Set.of("vm", "include_xml"));
          return info(p.requiredString("vm"), p.flag("include_xml"));
        }
      case "start":
        return start(vmOnly(operation, params));
      case "pause":
        return pause(vmOnly(operation, params));
      case "resume":
        return resume(vmOnly(operation, params));
      case "stop":
      case "restart":
        {
          OperationParams p =
              new OperationParams(
                  operation,
                  params,
                  Set.of("vm", "force", "timeout_seconds", "force_after_timeout"));
          StopOptions options =
              new StopOptions(
                  p.flag("force"),
                  p.optionalTimeout("timeout_seconds"),
                  p.flag("force_after_timeout"));
          String vm = p.requiredString("vm");
          return "stop".equals(operation) ? stop(vm, options) : restart(vm, options);
        }
      case "delete":
        {
          OperationParams p =
              new OperationParams(operation, params, Set.of("vm", "remove_storage"));
          return delete(p.requiredString("vm"), p.flag("remove_storage"));
        }
      default:
        return snapshot(params);
    }
  }

  private OperationOutput snapshot(Map<String, ?> params) {
    OperationParams p =
        new OperationParams(
            "snapshot", params, Set.of("vm", "action", "name", "description", "with_memory"));
    String vm = p.requiredString("vm");
    String action = p.requiredString("action");
    switch (action) {
      case "create":
        return snapshotCreate(
            vm,
            p.optionalString("name"),
            p.optionalString("description"),
            p.optionalFlag("with_memory"));
      case "list":
        return snapshotList(vm);
      case "revert":
        return snapshotRevert(vm, p.requiredString("name"));
      case "delete":
        return snapshotDelete(vm, p.requiredString("name"));
      default:
        throw OperationParams.invalid(
            "snapshot action must be create, list, revert or delete, not '" + action + "'");
    }
  }

  private static String vmOnly(String operation, Map<String, ?> params) {
    return new OperationParams(operation, params, Set.of("vm")).requiredString("vm");
  }

  private static StopOptions checked(StopOptions options) {
    Objects.requireNonNull(options, "options == null");
    OperationParams.checkTimeout("timeout_seconds", options.timeout());
    return options;
  }

  /** Validates and resolves the VM, then runs {@code body} in the VM's queue and waits for it. */
  private <T> T serialized(String vm, java.util.function.Function<VmTarget, T> body) {
    VmTarget target = calls.resolve(VmRef.parse(vm));
    Callable<T> task = () -> body.apply(target);
    CompletableFuture<T> future = serial.submit(target.uuid(), task);
    try {
      return future.get(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new VmOperationException(ErrorCode.OPERATION_FAILED, String.valueOf(cause), cause);
    } catch (TimeoutException e) {
      throw new VmOperationException(
          ErrorCode.TIMEOUT, "the operation on " + target + " is still queued or running", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VmOperationException(
          ErrorCode.OPERATION_FAILED,
          "interrupted while waiting for the operation on " + target,
          e);
    }
  }

  /** Stops the operation pool (running operations get a few seconds to finish). */
  @Override
  public void close() {
    uptimeEvents.close();
    serial.close();
  }
}
