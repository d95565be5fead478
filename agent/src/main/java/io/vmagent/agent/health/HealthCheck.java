package io.vmagent.agent.health;

import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.LibvirtFacts;
import io.vmagent.agent.libvirt.VmOperationException;
import io.vmagent.agent.operation.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code health_check} operation: libvirt answers and what it runs, and the host's resources
 * against their thresholds; never throws for an unreachable libvirt or a resource past its limit.
 */
public final class HealthCheck {
  // Reads only; each libvirt call inside has the call deadline.
  private static final Duration DEADLINE = Duration.ofMinutes(5);

  private final LibvirtConnectionManager libvirt;
  private final HostResources resources;

  public HealthCheck(LibvirtConnectionManager libvirt, HostResources resources) {
    this.libvirt = libvirt;
    this.resources = resources;
  }

  /** The operation for the registry. */
  public Operation<Operation.None> operation() {
    return Operation.hostWide("health_check", DEADLINE, p -> check());
  }

  /** libvirt's reachability, versions, host name and domain counts, then every resource check. */
  public HealthReport check() {
    long started = System.nanoTime();
    LibvirtFacts facts = null;
    String error = null;
    try {
      facts = libvirt.withConnection("health check", LibvirtFacts::read);
    } catch (VmOperationException e) {
      error = e.code() + ": " + e.getMessage();
    }
    long latencyMs = (System.nanoTime() - started) / 1_000_000;
    List<ResourceCheck> checks = resources.check();
    List<String> reasons = new ArrayList<>();
    if (error != null) {
      reasons.add("libvirt unreachable: " + error);
    }
    checks.stream().map(ResourceCheck::reason).filter(r -> r != null).forEach(reasons::add);
    return new HealthReport(
        "health_check",
        reasons.isEmpty(),
        libvirt.state(),
        libvirt.uri(),
        facts == null ? null : facts.type(),
        facts == null ? null : facts.hypervisorVersion(),
        facts == null ? null : facts.libvirtVersion(),
        facts == null ? null : facts.host(),
        facts == null ? null : facts.total(),
        facts == null ? null : facts.counts(),
        latencyMs,
        libvirt.reconnects(),
        error,
        reasons,
        checks);
  }
}
