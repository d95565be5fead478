package io.vmagent.agent.libvirt;

import java.time.Duration;

/**
 * How {@code stop} and {@code restart} treat the guest: {@code force} skips the ACPI request and
 * destroys at once; otherwise the guest gets {@code timeout} (null: the agent's default stop
 * timeout) to comply, after which it is destroyed only when {@code forceAfterTimeout} is set.
 */
public record StopOptions(boolean force, Duration timeout, boolean forceAfterTimeout) {
  /** Graceful with the default timeout, no forcing. */
  public static StopOptions graceful() {
    return new StopOptions(false, null, false);
  }

  /** Destroy at once. */
  public static StopOptions forced() {
    return new StopOptions(true, null, false);
  }
}
