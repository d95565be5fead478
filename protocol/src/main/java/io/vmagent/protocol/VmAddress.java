package io.vmagent.protocol;

/**
 * One IP address of a VM's interface.
 *
 * @param address the address, e.g. {@code 192.168.122.14}
 * @param prefix its prefix length
 * @param family {@code ipv4} or {@code ipv6}
 * @param source where the agent learnt it: {@code agent}, {@code lease} or {@code arp}
 */
public record VmAddress(String address, int prefix, String family, String source) {}
