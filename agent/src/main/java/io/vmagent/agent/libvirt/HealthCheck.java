package io.vmagent.agent.libvirt;

import java.util.Map;
import java.util.TreeMap;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * Checks that libvirt answers and reports what it runs; never throws for an unreachable libvirt.
 */
final class HealthCheck {
  private final LibvirtConnectionManager libvirt;

  HealthCheck(LibvirtConnectionManager libvirt) {
    this.libvirt = libvirt;
  }

  private record Facts(
      String type,
      String hypervisorVersion,
      String libvirtVersion,
      String host,
      Map<String, Integer> counts,
      int total) {}

  HealthReport check() {
    long started = System.nanoTime();
    try {
      Facts facts = libvirt.withConnection("health check", HealthCheck::facts);
      return new HealthReport(
          "health_check",
          true,
          libvirt.state(),
          libvirt.uri(),
          facts.type(),
          facts.hypervisorVersion(),
          facts.libvirtVersion(),
          facts.host(),
          facts.total(),
          facts.counts(),
          (System.nanoTime() - started) / 1_000_000,
          libvirt.reconnects(),
          null);
    } catch (VmOperationException e) {
      return new HealthReport(
          "health_check",
          false,
          libvirt.state(),
          libvirt.uri(),
          null,
          null,
          null,
          null,
          null,
          null,
          (System.nanoTime() - started) / 1_000_000,
          libvirt.reconnects(),
          e.code() + ": " + e.getMessage());
    }
  }

  private static Facts facts(Connect connect) throws LibvirtException {
    Map<String, Integer> counts = new TreeMap<>();
    int total = 0;
    for (VmSummary vm : DomainReader.summaries(connect)) {
      counts.merge(vm.state().wire(), 1, Integer::sum);
      total++;
    }
    return new Facts(
        connect.getType(),
        version(connect.getVersion()),
        version(connect.getLibVersion()),
        connect.getHostName(),
        counts,
        total);
  }

  /** libvirt encodes versions as major * 1,000,000 + minor * 1,000 + release. */
  static String version(long encoded) {
    return (encoded / 1_000_000) + "." + (encoded / 1_000 % 1_000) + "." + (encoded % 1_000);
  }
}
