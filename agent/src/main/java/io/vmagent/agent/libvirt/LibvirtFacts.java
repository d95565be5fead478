package io.vmagent.agent.libvirt;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * What libvirt runs, read in one call: hypervisor and versions, host name and the domains by state.
 *
 * @param counts domains by their state's wire name, e.g. {@code running}, sorted by it
 */
public record LibvirtFacts(
    String type,
    String hypervisorVersion,
    String libvirtVersion,
    String host,
    Map<String, Integer> counts,
    int total) {

  public LibvirtFacts {
    counts = Collections.unmodifiableMap(new TreeMap<>(counts));
  }

  /** Reads the facts through {@code connect}. */
  public static LibvirtFacts read(Connect connect) throws LibvirtException {
    Map<String, Integer> counts = new TreeMap<>();
    int total = 0;
    for (VmSummary vm : DomainReader.summaries(connect)) {
      counts.merge(vm.state().wire(), 1, Integer::sum);
      total++;
    }
    return new LibvirtFacts(
        connect.getType(),
        version(connect.getVersion()),
        version(connect.getLibVersion()),
        connect.getHostName(),
        counts,
        total);
  }

  /** libvirt encodes versions as major * 1,000,000 + minor * 1,000 + release. */
  public static String version(long encoded) {
    return (encoded / 1_000_000) + "." + (encoded / 1_000 % 1_000) + "." + (encoded % 1_000);
  }
}
