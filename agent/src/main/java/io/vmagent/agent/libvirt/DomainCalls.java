package io.vmagent.agent.libvirt;

import io.vmagent.agent.operation.Cancellation;
import io.vmagent.protocol.ErrorCode;
import java.time.Duration;

/**
 * The building blocks the operations share: one libvirt call on one domain under the call deadline,
 * reading the state, destroying, and waiting (bounded) for a VM to stop.
 */
final class DomainCalls {
  static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  private final LibvirtConnectionManager libvirt;

  DomainCalls(LibvirtConnectionManager libvirt) {
    this.libvirt = libvirt;
  }

  LibvirtConnectionManager libvirt() {
    return libvirt;
  }

  /** Resolves a caller's reference to the VM's name and UUID. */
  VmTarget resolve(VmRef ref) {
    return libvirt.withConnection(
        "look up " + ref,
        c -> {
          org.libvirt.Domain domain = ref.lookup(c);
          return new VmTarget(domain.getName(), domain.getUUIDString());
        });
  }

  /** Runs {@code fn} on the domain {@code target}, found again by UUID, under the deadline. */
  <T> T call(VmTarget target, String what, DomainFunction<T> fn) {
    return libvirt.withConnection(
        what + " " + target, c -> fn.apply(c, c.domainLookupByUUIDString(target.uuid())));
  }

  NativeDomain.Status status(VmTarget target) {
    return call(target, "read the state of", (c, d) -> NativeDomain.status(d));
  }

  VmState state(VmTarget target) {
    return status(target).state();
  }

  /** The state, or {@link VmState#UNDEFINED} when the VM no longer exists (a transient VM). */
  VmState stateOrUndefined(VmTarget target) {
    try {
      return state(target);
    } catch (VmOperationException e) {
      if (e.code() == ErrorCode.VM_NOT_FOUND) {
        return VmState.UNDEFINED;
      }
      throw e;
    }
  }

  /** Hard power-off; a VM that stopped on its own in the meantime counts as done. */
  void destroy(VmTarget target) {
    try {
      call(
          target,
          "destroy",
          (c, d) -> {
            d.destroy();
            return null;
          });
    } catch (VmOperationException e) {
      if (e.code() == ErrorCode.VM_NOT_FOUND
          || (e.code() == ErrorCode.INVALID_STATE && !stateOrUndefined(target).isActive())) {
        return;
      }
      throw e;
    }
  }

  /**
   * Waits up to {@code timeout} for the VM to be shut off (or gone), or until {@code cancellation}
   * fires; true if it is shut off.
   */
  boolean awaitInactive(VmTarget target, Duration timeout, Cancellation cancellation) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!stateOrUndefined(target).isActive()) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || cancellation.cancelled()) {
        return false;
      }
      pause(Math.min(left, POLL_INTERVAL.toNanos()), cancellation);
    }
  }

  /** Sleeps {@code nanos}, or less when {@code cancellation} fires meanwhile. */
  static void pause(long nanos, Cancellation cancellation) {
    try {
      var unused = cancellation.await(Duration.ofNanos(nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VmOperationException(
          ErrorCode.OPERATION_FAILED, "interrupted while waiting for the VM", e);
    }
  }

  static void sleep(long nanos) {
    pause(nanos, Cancellation.none());
  }
}
