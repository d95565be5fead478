package io.vmagent.agent.libvirt;

/** Assembles {@link LifecycleResult}s, timing the operation from its creation. */
final class ResultBuilder {
  private final String operation;
  private final VmTarget target;
  private final long startedNanos = System.nanoTime();

  ResultBuilder(String operation, VmTarget target) {
    this.operation = operation;
    this.target = target;
  }

  long elapsedMillis() {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  LifecycleResult unchanged(VmState state, String message) {
    return new LifecycleResult(
        operation,
        target.name(),
        target.uuid(),
        state,
        state,
        false,
        "none",
        null,
        message,
        elapsedMillis(),
        null,
        null,
        null);
  }

  LifecycleResult changed(
      VmState before, VmState after, String method, Boolean forced, String message) {
    return new LifecycleResult(
        operation,
        target.name(),
        target.uuid(),
        before,
        after,
        true,
        method,
        forced,
        message,
        elapsedMillis(),
        null,
        null,
        null);
  }
}
