package io.vmagent.agent.libvirt;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.libvirt.Domain;
import org.libvirt.DomainInterface;
import org.libvirt.Error;
import org.libvirt.LibvirtException;

/**
 * Finds the IP addresses of a running VM's interfaces through libvirt's three sources, in order:
 * the guest agent (only when the domain has its channel), the DHCP leases of libvirt's networks,
 * then the host's ARP table. Each interface takes its addresses from the first source that knows
 * its MAC, and each address names that source. A source that is unavailable (no guest agent, a
 * network libvirt does not run, a driver without it) is skipped.
 */
final class AddressReader {
  private enum Source {
    AGENT("agent", Domain.InterfaceAddressesSource.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT),
    LEASE("lease", Domain.InterfaceAddressesSource.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE),
    ARP("arp", Domain.InterfaceAddressesSource.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP);

    final String wire;
    final int flag;

    Source(String wire, int flag) {
      this.wire = wire;
      this.flag = flag;
    }
  }

  private AddressReader() {}

  /**
   * {@code declared} with their addresses: empty lists for a VM that is not running.
   *
   * @param guestAgent whether the domain declares a guest agent channel
   */
  static List<InterfaceInfo> read(
      Domain domain, List<InterfaceInfo> declared, boolean active, boolean guestAgent)
      throws LibvirtException {
    Map<String, List<IpAddress>> found = new HashMap<>();
    if (active) {
      for (Source source : Source.values()) {
        if (source == Source.AGENT && !guestAgent) {
          continue;
        }
        if (declared.stream().allMatch(nic -> found.containsKey(key(nic.mac())))) {
          break;
        }
        for (DomainInterface nic : query(domain, source)) {
          List<IpAddress> addresses = addresses(nic, source);
          if (!addresses.isEmpty()) {
            found.putIfAbsent(key(nic.hwAddr), addresses);
          }
        }
      }
    }
    List<InterfaceInfo> result = new ArrayList<>();
    for (InterfaceInfo nic : declared) {
      result.add(nic.withAddresses(found.getOrDefault(key(nic.mac()), List.of())));
    }
    return result;
  }

  private static List<DomainInterface> query(Domain domain, Source source) throws LibvirtException {
    try {
      return new ArrayList<>(domain.interfaceAddresses(source.flag, 0));
    } catch (LibvirtException e) {
      Error error = e.getError();
      if (error != null && error.getCode() == Error.ErrorNumber.VIR_ERR_NO_DOMAIN) {
        throw e;
      }
      // This source cannot answer for this domain (no agent, no libvirt network, no driver
      // support): the next source is asked instead.
      return List.of();
    }
  }

  private static List<IpAddress> addresses(DomainInterface nic, Source source) {
    List<IpAddress> addresses = new ArrayList<>();
    if (nic.addrs == null) {
      return addresses;
    }
    for (DomainInterface.InterfaceAddress address : nic.addrs) {
      if (address.address == null || address.address.isLoopbackAddress()) {
        continue;
      }
      boolean v6 = address.address instanceof Inet6Address;
      String text = address.address.getHostAddress();
      int zone = text.indexOf('%');
      addresses.add(
          new IpAddress(
              zone < 0 ? text : text.substring(0, zone),
              address.prefixLength,
              v6 ? "ipv6" : "ipv4",
              source.wire));
    }
    return addresses;
  }

  private static String key(String mac) {
    return mac == null ? "" : mac.toLowerCase(Locale.ROOT);
  }
}
