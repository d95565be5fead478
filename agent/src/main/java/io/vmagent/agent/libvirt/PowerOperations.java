package io.vmagent.agent.libvirt;

import io.vmagent.agent.operation.Cancellation;
import io.vmagent.agent.operation.OperationCancelled;
import io.vmagent.protocol.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * start, stop, restart, pause and resume, each idempotent: asking for the state a VM is already in
 * succeeds with {@code changed=false}. Callers serialize operations per VM. A graceful stop or
 * restart cancelled while it waits for the guest stops waiting and leaves the VM as it is.
 */
final class PowerOperations {
  private final DomainCalls calls;
  private final UptimeTracker uptime;
  private final Duration defaultStopTimeout;

  PowerOperations(DomainCalls calls, UptimeTracker uptime, Duration defaultStopTimeout) {
    this.calls = calls;
    this.uptime = uptime;
    this.defaultStopTimeout = defaultStopTimeout;
  }

  LifecycleResult start(VmTarget target) {
    LifecycleResult.Builder result = new LifecycleResult.Builder("start", target);
    VmState before = calls.state(target);
    if (before.isRunning()) {
      return result.unchanged(before, target + " is already running");
    }
    if (before != VmState.SHUT_OFF) {
      throw cannot("start", target, before);
    }
    create(target);
    return result.changed(before, calls.stateOrUndefined(target), "create", null, "started");
  }

  LifecycleResult stop(VmTarget target, StopOptions options, Cancellation cancellation) {
    LifecycleResult.Builder result = new LifecycleResult.Builder("stop", target);
    VmState before = calls.state(target);
    if (!before.isActive()) {
      return result.unchanged(before, target + " is already shut off");
    }
    if (options.force()) {
      return destroyed(target, result, before, "destroy", "destroyed");
    }
    if (!before.isRunning() && before != VmState.SHUTTING_DOWN) {
      if (!options.forceAfterTimeout()) {
        throw new VmOperationException(
            ErrorCode.INVALID_STATE,
            target
                + " is "
                + before
                + " and cannot react to an ACPI shutdown; resume it first or stop with force");
      }
      return destroyed(
          target,
          result,
          before,
          "destroy",
          "a " + before + " guest cannot react to ACPI; destroyed at once");
    }
    return shutDownThroughGuest(target, result, before, options, cancellation);
  }

  /**
   * Sends the ACPI shutdown request and waits for the guest; forces only when asked to. Cancelled
   * while it waits, it stops waiting and forces nothing.
   */
  private LifecycleResult shutDownThroughGuest(
      VmTarget target,
      LifecycleResult.Builder result,
      VmState before,
      StopOptions options,
      Cancellation cancellation) {
    Duration timeout = timeoutOf(options);
    calls.call(
        target,
        "send the ACPI shutdown request to",
        (c, d) -> {
          d.shutdown();
          return null;
        });
    if (calls.awaitInactive(target, timeout, cancellation)) {
      uptime.stopped(target.uuid());
      return result.changed(
          before, calls.stateOrUndefined(target), "acpi_shutdown", false, "shut down by the guest");
    }
    if (cancellation.cancelled()) {
      throw cancelled(
          result, before, target, "acpi_shutdown", "waiting for the guest to shut down");
    }
    if (!options.forceAfterTimeout()) {
      throw new VmOperationException(
          ErrorCode.TIMEOUT,
          target
              + " did not shut down within "
              + LibvirtConnectionManager.human(timeout)
              + " of the ACPI request (the guest may ignore ACPI); nothing was forced: retry with"
              + " force or force_after_timeout");
    }
    return destroyed(
        target,
        result,
        before,
        "acpi_shutdown_then_destroy",
        "the guest ignored the ACPI request for "
            + LibvirtConnectionManager.human(timeout)
            + "; destroyed");
  }

  private LifecycleResult destroyed(
      VmTarget target,
      LifecycleResult.Builder result,
      VmState before,
      String method,
      String message) {
    calls.destroy(target);
    uptime.stopped(target.uuid());
    return result.changed(before, calls.stateOrUndefined(target), method, true, message);
  }

  /**
   * Reboots through the guest (ACPI); when the guest shows no sign of rebooting within the timeout
   * and {@code force_after_timeout} is set, destroys and starts it. A shut-off VM is started; with
   * {@code force} the VM is destroyed and started at once.
   */
  LifecycleResult restart(VmTarget target, StopOptions options, Cancellation cancellation) {
    LifecycleResult.Builder result = new LifecycleResult.Builder("restart", target);
    VmState before = calls.state(target);
    if (before == VmState.SHUT_OFF) {
      create(target);
      return result.changed(
          before, calls.stateOrUndefined(target), "start", null, "was shut off; started");
    }
    if (options.force()) {
      return destroyAndStart(target, result, before, "destroy_and_start", "destroyed and started");
    }
    if (!before.isRunning()) {
      if (!options.forceAfterTimeout()) {
        throw new VmOperationException(
            ErrorCode.INVALID_STATE,
            target + " is " + before + " and cannot reboot itself; restart with force");
      }
      return destroyAndStart(
          target, result, before, "destroy_and_start", "a " + before + " guest cannot reboot");
    }
    return rebootThroughGuest(target, result, before, options, cancellation);
  }

  /**
   * Asks the guest to reboot and waits for a sign of it; forces only when asked to. Cancelled while
   * it waits, it stops waiting and forces nothing.
   */
  private LifecycleResult rebootThroughGuest(
      VmTarget target,
      LifecycleResult.Builder result,
      VmState before,
      StopOptions options,
      Cancellation cancellation) {
    Duration timeout = timeoutOf(options);
    AtomicBoolean rebooted = new AtomicBoolean();
    int idBefore = calls.call(target, "read the id of", (c, d) -> d.getID());
    Subscription watch = watchReboot(target, rebooted);
    try {
      if (requestReboot(target) || awaitReboot(target, idBefore, rebooted, timeout, cancellation)) {
        return afterReboot(target, result, before);
      }
    } finally {
      watch.close();
    }
    if (cancellation.cancelled()) {
      throw cancelled(result, before, target, "reboot", "waiting for the guest to reboot");
    }
    if (!options.forceAfterTimeout()) {
      throw new VmOperationException(
          ErrorCode.TIMEOUT,
          target
              + " showed no sign of rebooting within "
              + LibvirtConnectionManager.human(timeout)
              + " of the reboot request (the guest may ignore ACPI); nothing was forced: retry"
              + " with force or force_after_timeout");
    }
    return destroyAndStart(
        target,
        result,
        before,
        "reboot_then_destroy_and_start",
        "the guest ignored the reboot request for "
            + LibvirtConnectionManager.human(timeout)
            + "; destroyed and started");
  }

  /** Sets {@code rebooted} when libvirt reports the VM rebooting, stopping or starting. */
  private Subscription watchReboot(VmTarget target, AtomicBoolean rebooted) {
    return calls
        .libvirt()
        .subscribe(
            event -> {
              if (target.uuid().equals(event.uuid())
                  && ("rebooted".equals(event.type())
                      || "shutdown".equals(event.type())
                      || "stopped".equals(event.type())
                      || "started".equals(event.type()))) {
                rebooted.set(true);
              }
            });
  }

  /** Sends the reboot request; true when the driver rebooted within the call (the test driver). */
  private boolean requestReboot(VmTarget target) {
    return calls.call(
        target,
        "send the reboot request to",
        (c, d) -> {
          d.reboot(0);
          // The test driver reboots inside the call and reports no event or new id.
          return "TEST".equalsIgnoreCase(c.getType());
        });
  }

  private LifecycleResult afterReboot(
      VmTarget target, LifecycleResult.Builder result, VmState before) {
    VmState after = calls.stateOrUndefined(target);
    if (after == VmState.SHUT_OFF) {
      // The guest powered off instead of rebooting (on_reboot=destroy): bring it back.
      create(target);
      return result.changed(
          before,
          calls.stateOrUndefined(target),
          "reboot_then_start",
          false,
          "the guest powered off on reboot; started again");
    }
    return result.changed(before, after, "reboot", false, "rebooted by the guest");
  }

  LifecycleResult pause(VmTarget target) {
    LifecycleResult.Builder result = new LifecycleResult.Builder("pause", target);
    VmState before = calls.state(target);
    if (before == VmState.PAUSED) {
      return result.unchanged(before, target + " is already paused");
    }
    if (!before.isRunning()) {
      throw cannot("pause", target, before);
    }
    calls.call(
        target,
        "pause",
        (c, d) -> {
          d.suspend();
          return null;
        });
    return result.changed(before, calls.state(target), "suspend", null, "paused");
  }

  LifecycleResult resume(VmTarget target) {
    LifecycleResult.Builder result = new LifecycleResult.Builder("resume", target);
    VmState before = calls.state(target);
    if (before.isRunning()) {
      return result.unchanged(before, target + " is already running");
    }
    if (before != VmState.PAUSED) {
      throw cannot("resume", target, before);
    }
    calls.call(
        target,
        "resume",
        (c, d) -> {
          d.resume();
          return null;
        });
    return result.changed(before, calls.state(target), "resume", null, "resumed");
  }

  private LifecycleResult destroyAndStart(
      VmTarget target,
      LifecycleResult.Builder result,
      VmState before,
      String method,
      String message) {
    calls.destroy(target);
    uptime.stopped(target.uuid());
    if (calls.stateOrUndefined(target) == VmState.UNDEFINED) {
      throw new VmOperationException(
          ErrorCode.INVALID_STATE,
          target + " is transient: destroying it removed it, so it cannot be started again");
    }
    create(target);
    return result.changed(before, calls.stateOrUndefined(target), method, true, message);
  }

  private boolean awaitReboot(
      VmTarget target,
      int idBefore,
      AtomicBoolean rebooted,
      Duration timeout,
      Cancellation cancellation) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (rebooted.get()) {
        return true;
      }
      // Drivers that reboot synchronously restart the domain under a new id without an event.
      int id = calls.call(target, "read the id of", (c, d) -> d.getID());
      if (id != idBefore) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || cancellation.cancelled()) {
        return false;
      }
      DomainCalls.pause(Math.min(left, DomainCalls.POLL_INTERVAL.toNanos()), cancellation);
    }
  }

  private void create(VmTarget target) {
    calls.call(target, "start", (c, d) -> d.create());
    uptime.started(target.uuid(), Instant.now());
  }

  /**
   * The failure of a graceful wait cut short by a cancel request, carrying the VM's state before
   * and now: the request to the guest was sent and stays sent, nothing was forced.
   */
  private OperationCancelled cancelled(
      LifecycleResult.Builder result, VmState before, VmTarget target, String method, String what) {
    VmState now = calls.stateOrUndefined(target);
    return new OperationCancelled(
        "cancelled by an operator while "
            + what
            + "; "
            + target
            + " was left as it is ("
            + now
            + "): the request to the guest was sent, nothing was forced",
        result.cancelled(before, now, method));
  }

  private Duration timeoutOf(StopOptions options) {
    return options.timeout() == null ? defaultStopTimeout : options.timeout();
  }

  private static VmOperationException cannot(String operation, VmTarget target, VmState state) {
    String hint =
        switch (state) {
          case PAUSED -> "; resume it instead";
          case CRASHED -> "; stop it with force first";
          case SHUTTING_DOWN -> "; wait for it to stop or stop it with force";
          case PM_SUSPENDED -> " (suspended by its guest); stop it with force first";
          case SHUT_OFF -> "; start it first";
          default -> "";
        };
    return new VmOperationException(
        ErrorCode.INVALID_STATE, "cannot " + operation + " " + target + ": it is " + state + hint);
  }
}
