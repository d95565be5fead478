package io.vmagent.protocol;

import java.util.List;

/**
 * One network interface of a VM as its agent last reported it with {@code addresses} or {@code
 * info}.
 *
 * @param mac its MAC address
 * @param type libvirt's interface type, e.g. {@code network} or {@code bridge}
 * @param source the network, bridge or device it attaches to
 * @param addresses its IP addresses, each with where the agent learnt it
 */
public record VmInterface(String mac, String type, String source, List<VmAddress> addresses) {
  /** Normalises absent addresses to an empty list. */
  public VmInterface {
    addresses = Copies.list(addresses);
  }
}
